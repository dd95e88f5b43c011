// The internal bus: Open360's envelope {target, ack, type, package: {prompt, data, message}} on
// the /internal namespace. Every prompt is declared here once with the schema of its data and,
// for questions, of its reply; both ends validate against it. `id` (our addition) pairs a
// reply with its question so several questions can be in flight at once.
import { z } from "zod";
import { passwordSchema, roleSchema, usernameSchema } from "../accounts/schemas";

export const serverLabel = "web-api";

export const envelopeSchema = z.object({
  id: z.string().max(64).optional(),
  target: z.string().min(1).max(128),
  ack: z.string().min(1).max(128),
  type: z.enum(["message", "question"]),
  package: z.object({
    prompt: z.string().min(1).max(128),
    data: z.unknown().optional(),
    message: z.string().max(1000).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const serviceState = z.enum(["alive", "zombie"]);
const publicUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  createdAt: z.coerce.date(),
});

export const prompts = {
  /** worker → server, every HEARTBEAT_INTERVAL_SECONDS. */
  heartbeat: {
    data: z.object({
      workerId: z.string().min(1).max(64),
      pid: z.number().int(),
      state: z.enum(["ok", "failed"]),
      services: z.object({ ingest: serviceState, apps: serviceState, render: serviceState }).partial(),
      rssBytes: z.number().nonnegative(),
      startedAt: z.number(),
    }),
    reply: undefined,
  },
  /** Open360's status question, answerable by every service. */
  status: {
    data: z.undefined(),
    reply: z.object({ status: z.enum(["alive", "dead", "zombie"]) }),
  },
  /** CLI → server: account administration while the server owns the embedded database. */
  userCreate: {
    data: z.object({ username: usernameSchema, password: passwordSchema, role: roleSchema.optional() }),
    reply: publicUserSchema,
  },
  userSetRole: {
    data: z.object({ username: usernameSchema, role: roleSchema }),
    reply: publicUserSchema,
  },
  userList: {
    data: z.undefined(),
    reply: z.array(publicUserSchema),
  },
} satisfies Record<string, { data: z.ZodType; reply: z.ZodType | undefined }>;

export type Prompt = keyof typeof prompts;
export type QuestionPrompt = { [P in Prompt]: (typeof prompts)[P]["reply"] extends z.ZodType ? P : never }[Prompt];
export type MessagePrompt = Exclude<Prompt, QuestionPrompt>;
export type PromptData<P extends Prompt> = z.input<(typeof prompts)[P]["data"]>;
export type ParsedPromptData<P extends Prompt> = z.output<(typeof prompts)[P]["data"]>;
export type PromptReply<P extends QuestionPrompt> = z.output<NonNullable<(typeof prompts)[P]["reply"]>>;

export function isPrompt(name: string): name is Prompt {
  return Object.hasOwn(prompts, name);
}
