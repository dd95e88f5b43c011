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

/** A live stream as the worker's ingest knows it; `publicId` names it in URLs, never the key. */
const liveSessionSchema = z.object({
  channel: z.string().min(1).max(64),
  publicId: z.string().min(1).max(64),
  sessionId: z.string().min(1).max(64),
});

/** Render sessions are named by an unguessable id (base64url of 24 random bytes). */
export const renderSessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "Not a render session id");
const renderQuality = z.number().int().min(1).max(100);
const renderFps = z.number().int().min(1).max(60);
/** What a session loads: a Canopy page (a path on the server the worker knows) or an allowed external URL. */
export const renderTargetSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("canopy"), path: z.string().startsWith("/").max(2048) }),
  z.object({ kind: z.literal("external"), url: z.string().url().max(2048) }),
]);
export const renderPageInfoSchema = z.object({
  url: z.string().max(4096),
  title: z.string().max(1000),
  /** Set when the page is one of Canopy's own: its path, so the server can show its public URL. */
  canopyPath: z.string().max(4096).optional(),
});
export const renderInputSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("click"), x: z.number().finite(), y: z.number().finite(), button: z.enum(["left", "right", "middle"]).optional() }),
  z.object({
    type: z.literal("scroll"),
    deltaX: z.number().finite().min(-100_000).max(100_000),
    deltaY: z.number().finite().min(-100_000).max(100_000),
    x: z.number().finite().optional(),
    y: z.number().finite().optional(),
  }),
  z.object({ type: z.literal("text"), text: z.string().min(1).max(2000) }),
  z.object({ type: z.literal("key"), key: z.string().min(1).max(32), modifiers: z.array(z.enum(["Alt", "Control", "Meta", "Shift"])).max(4).optional() }),
]);
const renderSettingsSchema = z.object({ quality: renderQuality, fps: renderFps });
const renderSessionSummarySchema = z.object({
  sessionId: renderSessionIdSchema,
  ownerId: z.string().min(1).max(64),
  createdAt: z.number(),
  lastActivity: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  quality: renderQuality,
  fps: renderFps,
  pageInfo: renderPageInfoSchema,
});
export type RenderSessionSummary = z.output<typeof renderSessionSummarySchema>;
export type RenderInput = z.output<typeof renderInputSchema>;
export type RenderTarget = z.output<typeof renderTargetSchema>;
export type RenderPageInfo = z.output<typeof renderPageInfoSchema>;

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
  /**
   * ingest → server (Open360): may this stream key publish? `allowed` is false for unknown keys
   * and for channels that already have a live publisher.
   */
  checkKeyExists: {
    data: z.object({ streamKey: z.string().min(1).max(200), sessionId: z.string().min(1).max(64) }),
    reply: z.object({
      exists: z.boolean(),
      allowed: z.boolean(),
      reason: z.enum(["unknown-key", "already-live"]).optional(),
      channel: z.string().optional(),
      publicId: z.string().optional(),
    }),
  },
  /** ingest → server: the stream's media is flowing (Open360's setOnline). */
  setOnline: { data: liveSessionSchema.extend({ workerId: z.string().min(1).max(64), startedAt: z.number() }), reply: undefined },
  /** ingest → server: the publisher is connected but no media arrives. */
  setLurking: { data: liveSessionSchema, reply: undefined },
  /** ingest → server: the stream ended (cleanly, dropped, or its ffmpeg job failed for good). */
  setOffline: { data: liveSessionSchema.extend({ reason: z.enum(["ended", "dropped", "failed"]) }), reply: undefined },
  /** ingest → server, every few seconds while live: what the dashboard charts. */
  streamStats: {
    data: liveSessionSchema.extend({
      bitrateKbps: z.number().nonnegative(),
      width: z.number().int().nonnegative().optional(),
      height: z.number().int().nonnegative().optional(),
      fps: z.number().nonnegative().optional(),
      videoCodec: z.string().max(32).optional(),
      audioCodec: z.string().max(32).optional(),
      uptimeSeconds: z.number().nonnegative(),
      thumbnailAt: z.number().optional(),
    }),
    reply: undefined,
  },
  /** ingest → server: a recording was finalised and can be listed. */
  vodReady: {
    data: liveSessionSchema.extend({
      vodId: z.string().min(1).max(64),
      durationSeconds: z.number().nonnegative(),
      sizeBytes: z.number().int().nonnegative(),
      startedAt: z.number(),
      endedAt: z.number(),
    }),
    reply: undefined,
  },
  /** ingest → server: retention removed a recording's files. */
  vodDeleted: { data: z.object({ vodId: z.string().min(1).max(64) }), reply: undefined },
  /**
   * worker → server on every (re)connect and periodically: the streams it is ingesting now, so
   * the server can mark any other channel it thought live on this worker OFFLINE.
   */
  ingestSessions: { data: z.object({ workerId: z.string().min(1).max(64), live: z.array(liveSessionSchema) }), reply: undefined },
  /** server → worker: disconnect a publisher (key rotated, channel banned). */
  ingestStop: { data: z.object({ publicId: z.string().min(1).max(64) }), reply: z.object({ stopped: z.boolean() }) },
  /** server → worker: open a session (incognito context + page), optionally loading a first page. */
  renderCreate: {
    data: z.object({
      sessionId: renderSessionIdSchema,
      ownerId: z.string().min(1).max(64),
      width: z.number().int().min(64).max(1920),
      height: z.number().int().min(64).max(1920),
      quality: renderQuality,
      fps: renderFps,
      target: renderTargetSchema.optional(),
      allowedHosts: z.array(z.string().max(260)).max(1000),
    }),
    reply: renderSessionSummarySchema,
  },
  /** server → worker: navigate (policy checked again, after DNS, on the navigation and every redirect). */
  renderLoad: { data: z.object({ sessionId: renderSessionIdSchema, target: renderTargetSchema }), reply: renderPageInfoSchema },
  renderInfo: { data: z.object({ sessionId: renderSessionIdSchema }), reply: renderSessionSummarySchema },
  renderKeepalive: { data: z.object({ sessionId: renderSessionIdSchema }), reply: z.object({ lastActivity: z.number() }) },
  renderClose: { data: z.object({ sessionId: renderSessionIdSchema }), reply: z.object({ closed: z.boolean() }) },
  renderInput: { data: z.object({ sessionId: renderSessionIdSchema, input: renderInputSchema }), reply: z.object({ ok: z.literal(true) }) },
  /** server → worker: quality and frame rate of the screencast (manual or adaptive). */
  renderSettings: {
    data: z.object({ sessionId: renderSessionIdSchema, quality: renderQuality.optional(), fps: renderFps.optional() }),
    reply: renderSettingsSchema,
  },
  /** server → worker: how many clients watch; the screencast runs only while someone does. */
  renderSubscribers: { data: z.object({ sessionId: renderSessionIdSchema, count: z.number().int().min(0) }), reply: undefined },
  /** server → workers: the allow list changed. */
  renderPolicy: { data: z.object({ allowedHosts: z.array(z.string().max(260)).max(1000) }), reply: undefined },
  /** worker → server on connect: the current allow list. */
  renderPolicyGet: { data: z.undefined(), reply: z.object({ allowedHosts: z.array(z.string().max(260)).max(1000) }) },
  /** worker → server: one JPEG frame of a session's screencast, as binary. */
  renderFrame: {
    data: z.object({
      sessionId: renderSessionIdSchema,
      seq: z.number().int().nonnegative(),
      data: z.custom<Uint8Array>((value) => value instanceof Uint8Array, "Expected binary frame data"),
      /** Epoch milliseconds when the worker received the frame. */
      timestamp: z.number(),
      width: z.number().int().nonnegative(),
      height: z.number().int().nonnegative(),
      quality: renderQuality,
    }),
    reply: undefined,
  },
  /** worker → server: a session ended (closed, timed out, or failed with its browser). */
  renderEnded: {
    data: z.object({ sessionId: renderSessionIdSchema, reason: z.enum(["closed", "timeout", "crashed", "failed"]), message: z.string().max(500).optional() }),
    reply: undefined,
  },
  /** worker → server on every (re)connect: the sessions it hosts, so the server can reconcile. */
  renderSessions: { data: z.object({ workerId: z.string().min(1).max(64), sessions: z.array(renderSessionSummarySchema).max(1000) }), reply: undefined },
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

/** One screencast frame as both ends hold it (Socket.IO delivers the bytes as a Buffer). */
export type RenderFrame = Omit<ParsedPromptData<"renderFrame">, "data"> & { data: Buffer };
