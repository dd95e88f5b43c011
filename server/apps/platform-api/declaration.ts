// The platform API offered to app code, declared once as data: the `canopy` global (module →
// function → permission) and the `ccf` subset. The isolate's bindings are generated from it
// (worker/apps/bootstrap.ts), the host implements exactly these names (worker/apps/host-api.ts),
// and the editor's .d.ts is generated from it (dts.ts); a test fails when the three drift apart.
import type { Permission } from "../manifest";

/**
 * How a call crosses into the host. `sync`: answered at once (copied values). `promise`: answered
 * at once, returned as a promise (KV works on the worker's copy of the app's data). `async`: the
 * host does I/O and settles the promise later. `listener`: the last argument is a function kept
 * inside the isolate; the host only learns the other arguments (event name, method name).
 * `isolate`: a pure conversion computed inside the isolate, cheaper there than a trip to the host.
 */
export type CallKind = "sync" | "promise" | "async" | "listener" | "isolate";

export type PlatformParam = { name: string; type: string; optional?: boolean };
export type PlatformFunction = { name: string; kind: CallKind; params: PlatformParam[]; returns: string; doc: string; mainOnly?: boolean };
export type PlatformModule = { name: Permission; doc: string; functions: PlatformFunction[] };

/** Types shared by the declarations below, emitted into canopy.d.ts as they are. */
export const canopyTypes = `
/** A chat message as apps see it. */
interface CanopyChatMessage { id: number; channel: string; username: string; displayName: string; text: string; datetime: number; system: boolean }
interface CanopyChatDeletion { channel: string; messageId: number }
/** Who called an endpoint or rpc method (null for guests and no_auth endpoints). */
interface CanopyCaller { userId: string; username: string; displayName: string; role: "MEMBER" | "DEVELOPER" | "STAFF" }
/** A user's public profile; \`role\` only for apps with the "users:read-roles" permission. */
interface CanopyUserProfile { id: string; username: string; displayName: string; role?: "MEMBER" | "DEVELOPER" | "STAFF" }
interface CanopyStreamStatus { channel: string; status: "ONLINE" | "OFFLINE" | "LURKING" | "UNKNOWN"; title?: string; startedAt?: number }
interface CanopyStreamEvent { channel: string }
interface CanopyKvEntry { key: string; value: unknown }
interface CanopyRpcContext { caller: CanopyCaller | null; pageId?: string }
/** Someone opened (connected) or closed (disconnected) one of the app's pages; user is null for guests. */
interface CanopyPageConnection { pageId: string; user: { id: string; username: string; displayName: string } | null }
type CanopyRpcPermission = "guest" | "user" | "staff";
`;

const listener = (type: string) => ({ name: "listener", type });

export const platformModules: PlatformModule[] = [
  {
    name: "chat",
    doc: "The platform's chat: send as the app, system messages, message and deletion events. A preview's messages reach only its developer, and it hears only its developer's messages.",
    functions: [
      { name: "send", kind: "async", params: [{ name: "channel", type: "string" }, { name: "text", type: "string" }], returns: "Promise<{ id: number }>", doc: "Sends a message to a channel as the app (shown with the app's name and an app badge), in any channel where chat is not disabled. Rate-limited per app. From a preview, only its developer sees it." },
      { name: "sendSystem", kind: "async", params: [{ name: "channel", type: "string" }, { name: "text", type: "string" }], returns: "Promise<{ id: number }>", doc: "Sends a system message (no author) to a channel that enabled the app and where chat is not disabled. Counts against the app's moderation rate. From a preview, only its developer sees it." },
      { name: "delete", kind: "async", params: [{ name: "messageId", type: "number" }], returns: "Promise<boolean>", doc: "Deletes one of the app's own messages anywhere, or any message in a channel that enabled the app; resolves false when it did not exist. Counts against the app's moderation rate. Previews cannot delete." },
      {
        name: "on",
        kind: "listener",
        params: [{ name: "event", type: '"message" | "delete"' }, listener("(event: CanopyChatMessage & CanopyChatDeletion) => void")],
        returns: "void",
        doc: "Listens to new messages (`message`) and deletions (`delete`) in the channels that enabled the app (a preview: its developer's messages only). Only in the main module.",
        mainOnly: true,
      },
    ],
  },
  {
    name: "kv",
    doc: "The app's own key-value store (JSON values). Inside an endpoint it is part of the request's transaction.",
    functions: [
      { name: "get", kind: "promise", params: [{ name: "key", type: "string" }], returns: "Promise<unknown>", doc: "The value stored under key, or undefined." },
      { name: "set", kind: "promise", params: [{ name: "key", type: "string" }, { name: "value", type: "unknown" }], returns: "Promise<void>", doc: "Stores a JSON-serialisable value. Counts against the app's KV quota." },
      { name: "delete", kind: "promise", params: [{ name: "key", type: "string" }], returns: "Promise<boolean>", doc: "Deletes a key; resolves whether it existed." },
      { name: "list", kind: "promise", params: [{ name: "prefix", type: "string", optional: true }, { name: "options", type: "{ limit?: number }", optional: true }], returns: "Promise<CanopyKvEntry[]>", doc: "Entries whose key starts with prefix, in key order." },
      { name: "clear", kind: "promise", params: [], returns: "Promise<void>", doc: "Deletes every key of canopy.kv." },
    ],
  },
  {
    name: "rpc",
    doc: "Methods the app's pages call, and events sent to them.",
    functions: [
      {
        name: "register",
        kind: "listener",
        params: [{ name: "method", type: "string" }, { name: "permission", type: "CanopyRpcPermission" }, listener("(context: CanopyRpcContext, ...args: unknown[]) => unknown")],
        returns: "void",
        doc: "Registers a method callable from the app's pages by callers with at least `permission`. Only in the main module.",
        mainOnly: true,
      },
      { name: "unregister", kind: "sync", params: [{ name: "method", type: "string" }], returns: "void", doc: "Removes a registered method." },
      {
        name: "on",
        kind: "listener",
        params: [{ name: "event", type: '"connected" | "disconnected"' }, listener("(event: CanopyPageConnection) => void")],
        returns: "void",
        doc: "Listens to users opening (`connected`) and closing (`disconnected`) the app's pages. Only in the main module.",
        mainOnly: true,
      },
      { name: "emit", kind: "sync", params: [{ name: "event", type: "string" }, { name: "payload", type: "unknown", optional: true }], returns: "void", doc: "Sends an event to every open page of the app." },
      { name: "emitToPage", kind: "sync", params: [{ name: "pageId", type: "string" }, { name: "event", type: "string" }, { name: "payload", type: "unknown", optional: true }], returns: "void", doc: "Sends an event to every open instance of one page." },
      { name: "emitToUser", kind: "sync", params: [{ name: "userId", type: "string" }, { name: "event", type: "string" }, { name: "payload", type: "unknown", optional: true }], returns: "void", doc: "Sends an event to the app's pages opened by one user." },
    ],
  },
  {
    name: "pages",
    doc: "The app's pages (declared in app.json) shown in the platform.",
    functions: [
      { name: "publish", kind: "async", params: [{ name: "pageId", type: "string" }, { name: "options", type: "{ title?: string }", optional: true }], returns: "Promise<void>", doc: "Makes a page declared in app.json visible where its placements say." },
      { name: "unpublish", kind: "async", params: [{ name: "pageId", type: "string" }], returns: "Promise<void>", doc: "Hides a page." },
    ],
  },
  {
    name: "streams",
    doc: "Live channels: status and online/offline events.",
    functions: [
      { name: "status", kind: "async", params: [{ name: "channel", type: "string" }], returns: "Promise<CanopyStreamStatus>", doc: "Whether a channel is live." },
      {
        name: "on",
        kind: "listener",
        params: [{ name: "event", type: '"online" | "offline"' }, listener("(event: CanopyStreamEvent) => void")],
        returns: "void",
        doc: "Listens to channels going live or offline. Only in the main module.",
        mainOnly: true,
      },
    ],
  },
  {
    name: "users",
    doc: "Public profiles of users (with the users:read-roles permission, their roles too).",
    functions: [{ name: "get", kind: "async", params: [{ name: "username", type: "string" }], returns: "Promise<CanopyUserProfile | null>", doc: "A user's public profile (id, username, display name; the role with users:read-roles), or null." }],
  },
  {
    name: "log",
    doc: "Writes to the app's log stream (console.* does the same and needs no permission).",
    functions: ["debug", "info", "warn", "error"].map((level) => ({
      name: level,
      kind: "sync" as const,
      params: [{ name: "...args", type: "unknown[]" }],
      returns: "void",
      doc: `Writes a ${level} line to the app's log.`,
    })),
  },
];

/** CCF's `ccf` global, the subset that makes sense here. `kv` is a property, declared in dts.ts. */
export const ccfFunctions: PlatformFunction[] = [
  { name: "strToBuf", kind: "isolate", params: [{ name: "value", type: "string" }], returns: "ArrayBuffer", doc: "UTF-8 encodes a string." },
  { name: "bufToStr", kind: "isolate", params: [{ name: "value", type: "ArrayBuffer" }], returns: "string", doc: "UTF-8 decodes a buffer." },
  { name: "jsonCompatibleToBuf", kind: "isolate", params: [{ name: "value", type: "unknown" }], returns: "ArrayBuffer", doc: "JSON.stringify, then UTF-8 encode." },
  { name: "bufToJsonCompatible", kind: "isolate", params: [{ name: "value", type: "ArrayBuffer" }], returns: "unknown", doc: "UTF-8 decode, then JSON.parse." },
  { name: "enableUntrustedDateTime", kind: "sync", params: [{ name: "enable", type: "boolean" }], returns: "boolean", doc: "With app.json's ccf_untrusted_date_time, Date.now() is 0 until this is called with true. Returns the previous setting." },
  { name: "enableMetricsLogging", kind: "sync", params: [{ name: "enable", type: "boolean" }], returns: "boolean", doc: "Turns the per-request execution metrics line off or on. Returns the previous setting." },
];
export const ccfCryptoFunctions: PlatformFunction[] = [
  { name: "digest", kind: "sync", params: [{ name: "algorithm", type: '"SHA-256" | "SHA-384" | "SHA-512"' }, { name: "data", type: "ArrayBuffer" }], returns: "ArrayBuffer", doc: "Hash of data." },
];

/** "chat.send", "kv.get", … every canopy function the host must implement. */
export function canopyFunctionKeys(): string[] {
  return platformModules.flatMap((module) => module.functions.map((fn) => `${module.name}.${fn.name}`));
}
