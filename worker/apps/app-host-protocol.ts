// The channel between the worker's coordinator and an app host (a child process over Node IPC
// with advanced serialization, so bodies travel as bytes). Commands go down and are trusted.
// What comes up is sent by a process that runs untrusted code: the coordinator checks every
// message against `hostMessageSchema` and accepts it only for instances that host really holds.
import { z } from "zod";
import type { AppManifest } from "../../server/apps/manifest";
import type { AppTarget } from "../../server/apps/runtime-contract";
import { appLogEntrySchema } from "../../server/internal/protocol";
import type { AppRequest, AppResponse } from "./app-instance";
import type { RuntimeLimits } from "./limits";
import { maxLogsPerMessage } from "./log-batches";
import type { PositionMap } from "./source-map";

/** Everything a host needs to run one deployment (modules already transpiled by the coordinator). */
export type InstanceSpec = {
  appId: string;
  target: AppTarget;
  deploymentId: string;
  manifest: AppManifest;
  modules: Map<string, string>;
  sourceMaps: Map<string, PositionMap>;
  disableBytecodeCache: boolean;
  kv: { map: string; key: string; value: string }[];
};

export type RpcCaller = { userId: string; username: string; displayName: string; role: string } | null;

export type HostCommand =
  | { t: "init"; limits: RuntimeLimits }
  | { t: "ping"; seq: number }
  | { t: "start"; id: number; instance: string; spec: InstanceSpec }
  | { t: "stop"; id: number; instance: string; graceMs: number }
  | { t: "restart"; instance: string }
  | { t: "request"; id: number; instance: string; request: AppRequest }
  | { t: "rpcCall"; id: number; instance: string; method: string; caller: RpcCaller; pageId?: string; args: unknown[] }
  | { t: "pageConnection"; instance: string; pageId: string; user: unknown; connected: boolean }
  /** `only`: the instances that may hear it (chat events are scoped per app by the server); absent: all. */
  | { t: "event"; subscription: string; listener: string; payload: unknown; author?: string; only?: string[] }
  | { t: "status"; id: number }
  | { t: "callReply"; id: number; ok: true; value: unknown }
  | { t: "callReply"; id: number; ok: false; message: string };

/** Platform calls an app may make through its host; the coordinator adds the app's identity. */
export const hostCallPrompts = ["appChatSend", "appChatDelete", "appUserGet", "appStreamStatus", "appPagePublish", "appKvCommit"] as const;
export type HostCallPrompt = (typeof hostCallPrompts)[number];

const instanceField = z.string().min(1).max(200);
export type HostLogEntry = z.infer<typeof appLogEntrySchema>;

export const instanceStatusSchema = z.object({
  instance: instanceField,
  state: z.enum(["starting", "running", "stopped", "failed"]),
  reason: z.string().max(2000).optional(),
  memoryBytes: z.number(),
  cpuMsLastMinute: z.number(),
});
export type InstanceStatus = z.infer<typeof instanceStatusSchema>;

const responseSchema = z.object({
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string().max(200), z.string().max(16_384)),
  body: z.instanceof(Uint8Array),
  execMs: z.number(),
});

export const hostMessageSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("ready") }),
  /** `active`: instances whose isolate used CPU since the previous pong (to name a culprit if the host dies). */
  z.object({ t: z.literal("pong"), seq: z.number(), active: z.array(instanceField).max(10_000) }),
  /** A command's answer: `value` when ok, else an error `code` (an AppError code or HTTP status) and `message`. */
  z.object({ t: z.literal("reply"), id: z.number(), ok: z.boolean(), value: z.unknown().optional(), code: z.string().max(40).optional(), message: z.string().max(2000).optional() }),
  z.object({ t: z.literal("progress"), id: z.number(), step: z.literal("health-check") }),
  z.object({ t: z.literal("logs"), entries: z.array(z.tuple([instanceField, appLogEntrySchema])).max(maxLogsPerMessage) }),
  z.object({ t: z.literal("violation"), instance: instanceField, reason: z.string().max(2000), fatal: z.boolean() }),
  z.object({ t: z.literal("call"), id: z.number(), instance: instanceField, prompt: z.enum(hostCallPrompts), data: z.record(z.string(), z.unknown()) }),
  z.object({
    t: z.literal("emit"),
    instance: instanceField,
    to: z.union([z.object({ kind: z.literal("all") }), z.object({ kind: z.literal("page"), pageId: z.string().max(40) }), z.object({ kind: z.literal("user"), userId: z.string().max(64) })]),
    event: z.string().max(200),
    payload: z.unknown(),
  }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

export const requestReplySchema = responseSchema;
export const statusReplySchema = z.array(instanceStatusSchema).max(10_000);
export const startReplySchema = z.object({ startMs: z.number() });

export type { AppRequest, AppResponse };
