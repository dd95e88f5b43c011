// The internal bus: Open360's envelope {target, ack, type, package: {prompt, data, message}} on
// the /internal namespace. Every prompt is declared here once with the schema of its data and,
// for questions, of its reply; both ends validate against it. `id` (our addition) pairs a
// reply with its question so several questions can be in flight at once.
import { z } from "zod";
import { passwordSchema, roleSchema, usernameSchema } from "../accounts/schemas";
import { permissionNames, permissionSchema } from "../apps/manifest";

/** What bus clients address the server as: whichever node they are connected to answers. */
export const serverLabel = "web-api";

/** The label one server node asks questions under, so replies find their way back to that node. */
export const nodeLabel = (nodeId: string) => `${serverLabel}:${nodeId}`;

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

const appIdField = z.string().min(2).max(40);
const appTargetField = z.enum(["live", "preview"]);
/** An app placement's fence (AppPlacement.fence): grows with every placement, so older commands are recognisable. */
const fenceField = z.number().int().min(1);
/** A capability's limit (none: not limited) and what it carries now (apps running, ingest streams, render sessions). */
const capacitySchema = z.object({ limit: z.number().int().min(0).optional(), load: z.number().int().min(0) });
const base64Field = z.string().max(16 * 1024 * 1024);
const binaryField = z.custom<Uint8Array>((value) => value instanceof Uint8Array, "Expected binary data");
/** One KV entry as it travels: map name, key and value bytes in base64 (value null: deleted). */
export const appKvWriteSchema = z.object({ map: z.string().max(200), key: base64Field, value: base64Field.nullable() });
export const appLogEntrySchema = z.object({
  at: z.number(),
  level: z.enum(["log", "info", "warn", "error", "debug", "metric", "violation", "system"]),
  message: z.string().max(20_000),
  stack: z.array(z.object({ module: z.string().max(300), line: z.number().int(), column: z.number().int().optional(), functionName: z.string().max(300).optional() })).max(50).optional(),
  metrics: z.object({ method: z.string().max(16), path: z.string().max(2000), status: z.number().int(), execMs: z.number() }).optional(),
});
const appCallerSchema = z.object({ userId: z.string(), username: z.string(), displayName: z.string(), role: roleSchema }).nullable();
export const appRunStatusSchema = z.object({
  appId: appIdField,
  target: appTargetField,
  deploymentId: z.string(),
  state: z.enum(["running", "starting", "stopped", "suspended", "failed"]),
  reason: z.string().max(1000).optional(),
  memoryBytes: z.number().nonnegative(),
  cpuMsLastMinute: z.number().nonnegative(),
  violations: z.number().int().nonnegative(),
});
/** Platform events the server fans out to workers for apps that listen (chat, streams). */
export const appPlatformEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("chat.message"), message: z.object({ id: z.number().int(), channel: z.string(), username: z.string(), displayName: z.string(), text: z.string(), datetime: z.number(), system: z.boolean() }) }),
  z.object({ kind: z.literal("chat.delete"), channel: z.string(), messageId: z.number().int() }),
  z.object({ kind: z.literal("streams.online"), channel: z.string() }),
  z.object({ kind: z.literal("streams.offline"), channel: z.string() }),
]);
export type AppPlatformEvent = z.output<typeof appPlatformEventSchema>;
export type AppRunStatus = z.output<typeof appRunStatusSchema>;

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
      /** Per capability: how much the worker takes on and how much it carries now. */
      capacity: z.object({ ingest: capacitySchema, apps: capacitySchema, render: capacitySchema }).partial().optional(),
      /** The apps it serves, with the fence each was started under: the node renews those leases. */
      apps: z.array(z.object({ appId: appIdField, target: appTargetField, fence: fenceField })).max(10_000).optional(),
      /** The worker's clock when it sent this; echoed in appLeases. */
      sentAt: z.number().optional(),
    }),
    reply: undefined,
  },
  /**
   * server → worker, answering a heartbeat: leases renewed for `ttlMs` from `heartbeatSentAt` (the
   * worker's clock, before the node renewed them, so the worker's lease never outlasts the node's);
   * others run out.
   */
  appLeases: { data: z.object({ ttlMs: z.number().int().positive(), heartbeatSentAt: z.number(), leases: z.array(z.object({ appId: appIdField, target: appTargetField, fence: fenceField })).max(10_000) }), reply: undefined },
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
  /**
   * server node → worker: how many clients watch through the asking node (told again every few
   * seconds while any do). The worker adds the nodes' counts up, runs the screencast while there
   * are any, sends frames to each node with viewers, and answers the total.
   */
  renderSubscribers: { data: z.object({ sessionId: renderSessionIdSchema, count: z.number().int().min(0) }), reply: z.object({ total: z.number().int().min(0) }) },
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
  /**
   * server → worker: start an isolate for this deployment (with the app's KV, which the worker
   * then owns), health-check it, and only then swap it in; requests in flight finish on the old one.
   */
  appStart: {
    data: z.object({
      appId: appIdField,
      target: appTargetField,
      deploymentId: z.string().min(1).max(64),
      bundle: z.object({ metadata: z.unknown(), modules: z.array(z.object({ name: z.string().max(200), module: z.string() })).max(500) }),
      disableBytecodeCache: z.boolean(),
      kv: z.array(appKvWriteSchema.extend({ value: base64Field })),
      fence: fenceField,
      /** How long the worker may serve it before a renewal must arrive. */
      leaseMs: z.number().int().positive(),
    }),
    reply: z.object({ deploymentId: z.string(), startMs: z.number() }),
  },
  /** worker → server while an appStart runs: which deploy step started. */
  appStartProgress: { data: z.object({ appId: appIdField, target: appTargetField, deploymentId: z.string(), step: z.enum(["compiling", "starting", "health-check"]) }), reply: undefined },
  appStop: { data: z.object({ appId: appIdField, target: appTargetField, fence: fenceField }), reply: z.object({ stopped: z.boolean() }) },
  /** server → worker: one endpoint call; authn was checked by the server. */
  appRequest: {
    data: z.object({
      appId: appIdField,
      target: appTargetField,
      method: z.string().max(16),
      /** The endpoint's template path from app.json ("/items/{id}"). */
      endpoint: z.string().max(300),
      /** The request path under /api (what CCF calls `path`). */
      path: z.string().max(4096),
      url: z.string().max(8192),
      params: z.record(z.string(), z.string()),
      query: z.string().max(8192),
      headers: z.record(z.string(), z.string()),
      body: binaryField,
      caller: appCallerSchema,
      fence: fenceField,
    }),
    reply: z.object({ status: z.number().int().min(100).max(599), headers: z.record(z.string(), z.string()), body: binaryField, execMs: z.number() }),
  },
  /** server → worker: an rpc method the app registered, called from one of its pages. */
  appRpcCall: {
    data: z.object({ appId: appIdField, target: appTargetField, fence: fenceField, method: z.string().min(1).max(100), caller: appCallerSchema, pageId: z.string().max(40).optional(), args: z.array(z.unknown()).max(20) }),
    reply: z.object({ result: z.unknown() }),
  },
  /**
   * server → workers: a chat or stream event; apps with the permission and a listener get it.
   * `audience` (chat events): the only apps on this worker that may hear it, decided by the server.
   */
  appPlatformEvent: { data: z.object({ event: appPlatformEventSchema, audience: z.array(z.object({ appId: appIdField, target: appTargetField })).max(10_000).optional() }), reply: undefined },
  /** server → the worker running the app: someone opened or closed one of its pages (canopy.rpc.on). */
  appPageConnection: {
    data: z.object({
      appId: appIdField,
      target: appTargetField,
      pageId: z.string().max(40),
      user: z.object({ id: z.string(), username: z.string(), displayName: z.string() }).nullable(),
      connected: z.boolean(),
    }),
    reply: undefined,
  },
  /** server → worker: resource use and state of the apps it runs. */
  appStatusList: { data: z.undefined(), reply: z.array(appRunStatusSchema) },
  /** worker → server on every (re)connect: what it runs; the server starts what is missing. */
  appsHello: { data: z.object({ workerId: z.string().min(1).max(64), running: z.array(z.object({ appId: appIdField, target: appTargetField, deploymentId: z.string(), fence: fenceField })) }), reply: undefined },
  /** worker → server: state changes the worker decided (failed, suspended after violations). */
  appState: { data: z.object({ appId: appIdField, target: appTargetField, deploymentId: z.string(), state: z.enum(["failed", "suspended", "stopped"]), reason: z.string().max(1000) }), reply: undefined },
  /** worker → server: a batch of the app's log lines (console, metrics, violations). */
  appLog: { data: z.object({ appId: appIdField, target: appTargetField, entries: z.array(appLogEntrySchema).max(1000) }), reply: undefined },
  /** worker → server: the write set of one KV transaction, applied atomically. */
  appKvCommit: {
    data: z.object({ appId: appIdField, target: appTargetField, clears: z.array(z.string().max(200)).max(100), writes: z.array(appKvWriteSchema).max(10_000) }),
    reply: z.object({ ok: z.literal(true) }),
  },
  /** worker → server: the app's committed KV, to restart it after its app host died. */
  appKvSnapshot: {
    data: z.object({ appId: appIdField, target: appTargetField }),
    reply: z.object({ kv: z.array(appKvWriteSchema.extend({ value: base64Field })) }),
  },
  appChatSend: {
    data: z.object({ appId: appIdField, target: appTargetField, channel: z.string().min(1).max(64), text: z.string().min(1).max(10_000), system: z.boolean() }),
    reply: z.object({ id: z.number().int() }),
  },
  appChatDelete: { data: z.object({ appId: appIdField, target: appTargetField, messageId: z.number().int() }), reply: z.object({ deleted: z.boolean() }) },
  appUserGet: {
    data: z.object({ appId: appIdField, username: z.string().min(1).max(64), permissions: z.array(permissionSchema).max(permissionNames.length) }),
    reply: z.object({ user: z.object({ id: z.string(), username: z.string(), displayName: z.string(), role: roleSchema.optional() }).nullable() }),
  },
  appStreamStatus: {
    data: z.object({ appId: appIdField, channel: z.string().min(1).max(64) }),
    reply: z.object({ channel: z.string(), status: z.enum(["ONLINE", "OFFLINE", "LURKING", "UNKNOWN"]), title: z.string().optional(), startedAt: z.number().optional() }),
  },
  appPagePublish: {
    data: z.object({ appId: appIdField, target: appTargetField, pageId: z.string().min(1).max(40), published: z.boolean(), title: z.string().max(80).optional() }),
    reply: z.object({ ok: z.literal(true) }),
  },
  /** worker → server: an rpc event for the app's pages (all, one page, or one user's pages). */
  appRpcEmit: {
    data: z.object({
      appId: appIdField,
      target: appTargetField,
      to: z.discriminatedUnion("kind", [z.object({ kind: z.literal("all") }), z.object({ kind: z.literal("page"), pageId: z.string().max(40) }), z.object({ kind: z.literal("user"), userId: z.string().max(64) })]),
      event: z.string().min(1).max(100),
      payload: z.unknown(),
    }),
    reply: undefined,
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

/** One screencast frame as both ends hold it (Socket.IO delivers the bytes as a Buffer). */
export type RenderFrame = Omit<ParsedPromptData<"renderFrame">, "data"> & { data: Buffer };
