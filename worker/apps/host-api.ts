// The host side of every operation the isolate's bootstrap can call. Arguments arrive as copies
// from untrusted code and are checked here; results go back as copies. `canopy.*` operations
// are gated by the app's permissions; everything touching the outside goes through `platform`.
import crypto from "node:crypto";
import type { Permission } from "../../server/apps/manifest";
import { messageBytes, utf8Bytes } from "../../server/internal/message-bytes";
import type { KvTransaction } from "./kv-store";
import type { ByteBudget } from "./limits";

export type PlatformBackend = {
  chatSend(channel: string, text: string, system: boolean): Promise<{ id: number }>;
  chatDelete(messageId: number): Promise<boolean>;
  userGet(username: string): Promise<unknown>;
  streamStatus(channel: string): Promise<unknown>;
  pagePublish(pageId: string, published: boolean, title?: string): Promise<void>;
  rpcEmit(to: { kind: "all" } | { kind: "page"; pageId: string } | { kind: "user"; userId: string }, event: string, payload: unknown): void;
};

/** What an operation may use: the calling context's state and the app instance's services. */
export type HostCallContext = {
  permissions: ReadonlySet<Permission>;
  /** The main module's context: the only one that keeps listeners and rpc methods. */
  isMain: boolean;
  /** Runs `fn` in the request's transaction, or (outside requests) in one committed at once. */
  kv<T>(fn: (txn: KvTransaction) => T): T;
  /** `totalBytes`: the line's length when the isolate sent only its start. */
  log(level: "log" | "info" | "warn" | "error" | "debug", message: string, totalBytes?: number): void;
  setTimer(ms: number, repeat: boolean): number;
  clearTimer(id: number): void;
  /** Counts a chat send against the app's rate; throws when over it. */
  chargeChatSend(): void;
  subscribe(event: string): void;
  registerRpc(method: string, permission: "guest" | "user" | "staff"): void;
  unregisterRpc(method: string): void;
  setMetricsLogging(enabled: boolean): boolean;
  setUntrustedDateTime(enabled: boolean): boolean;
  pageIds: ReadonlySet<string>;
  /** The isolate reports the result of an invoke or dispatch entry. */
  entryDone(id: number, result: unknown): void;
  platform: PlatformBackend;
};

/**
 * `maxInputBytes`: the most its arguments together may hold (UTF-8 bytes of strings, bytes of
 * buffers, JSON of objects), checked before it runs; without it, `hostInputBytes`.
 */
export type HostOperation = { kind: "sync" | "async"; permission?: Permission; maxInputBytes?: (bytes: ByteBudget) => number; run(context: HostCallContext, args: unknown[]): unknown };

const canopyKvMap = "~canopy.kv";
const maxUrlLength = 65_536;
const settableUrlParts = ["protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];

function urlParts(url: URL) {
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = url;
  return { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash };
}
const maxKeyBytes = 2048;

function text(value: unknown, name: string, max = 10_000): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  if (value.length > max) throw new RangeError(`${name} is longer than ${max} characters`);
  return value;
}

function bytes(value: unknown, name: string): Buffer {
  if (!(value instanceof ArrayBuffer)) throw new TypeError(`${name} must be an ArrayBuffer`);
  return Buffer.from(value);
}

function arrayBufferOf(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length) as ArrayBuffer;
}

function kvKey(buffer: Buffer): string {
  if (buffer.length > maxKeyBytes) throw new RangeError(`KV keys are at most ${maxKeyBytes} bytes`);
  return buffer.toString("base64");
}

function ccfMap(value: unknown): string {
  const map = text(value, "map name", 200);
  if (map.startsWith("~")) throw new RangeError("KV map names starting with ~ are reserved");
  return map;
}

function canopyKey(value: unknown): string {
  return kvKey(Buffer.from(text(value, "key", maxKeyBytes)));
}

function rpcPermission(value: unknown): "guest" | "user" | "staff" {
  if (value === "guest" || value === "user" || value === "staff") return value;
  throw new TypeError('permission must be "guest", "user" or "staff"');
}

function listenerEvent(value: unknown, allowed: string[]): string {
  if (typeof value !== "string" || !allowed.includes(value)) throw new TypeError(`event must be one of ${allowed.join(", ")}`);
  return value;
}

function mainOnly(context: HostCallContext, what: string): void {
  if (!context.isMain) throw new Error(`${what} is only available in the app's main module`);
}

function logArgs(args: unknown[]): string {
  return args.map((arg) => (typeof arg === "string" ? arg : safeJson(arg))).join(" ");
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const sync = (permission: Permission | undefined, run: HostOperation["run"], maxInputBytes?: HostOperation["maxInputBytes"]): HostOperation => ({ kind: "sync", permission, run, maxInputBytes });
const async = (permission: Permission, run: HostOperation["run"]): HostOperation => ({ kind: "async", permission, run });
/** An rpc event travels to the app's pages in one bus message. */
const rpcPayload = (bytes: ByteBudget) => bytes.rpcPayloadBytes;

export const hostOperations: Record<string, HostOperation> = {
  "canopy.chat.send": async("chat", (context, [channel, message]) => {
    context.chargeChatSend();
    return context.platform.chatSend(text(channel, "channel", 64), text(message, "text"), false);
  }),
  "canopy.chat.sendSystem": async("chat", (context, [channel, message]) => {
    context.chargeChatSend();
    return context.platform.chatSend(text(channel, "channel", 64), text(message, "text"), true);
  }),
  "canopy.chat.delete": async("chat", (context, [id]) => {
    if (!Number.isInteger(id)) throw new TypeError("messageId must be an integer");
    return context.platform.chatDelete(id as number);
  }),
  "canopy.chat.on": sync("chat", (context, [event]) => {
    mainOnly(context, "canopy.chat.on");
    context.subscribe(`chat.${listenerEvent(event, ["message", "delete"])}`);
  }),

  "canopy.kv.get": sync("kv", (context, [key]) => context.kv((txn) => txn.get(canopyKvMap, canopyKey(key))?.toString("utf8"))),
  "canopy.kv.set": sync("kv", (context, [key, value]) => {
    const json = text(value, "value", 1_000_000);
    context.kv((txn) => txn.set(canopyKvMap, canopyKey(key), Buffer.from(json)));
  }),
  "canopy.kv.delete": sync("kv", (context, [key]) => context.kv((txn) => txn.delete(canopyKvMap, canopyKey(key)))),
  "canopy.kv.list": sync("kv", (context, [prefix, options]) => {
    const wanted = text(prefix ?? "", "prefix", maxKeyBytes);
    const limitValue = options && typeof options === "object" ? (options as { limit?: unknown }).limit : undefined;
    const limit = typeof limitValue === "number" && limitValue > 0 ? Math.min(limitValue, 1000) : 1000;
    return context.kv((txn) => {
      const entries: [string, string][] = [];
      const keys = txn.keys(canopyKvMap).map((key) => Buffer.from(key, "base64").toString("utf8")).filter((key) => key.startsWith(wanted)).sort();
      for (const key of keys.slice(0, limit)) entries.push([key, txn.get(canopyKvMap, canopyKey(key))!.toString("utf8")]);
      return entries;
    });
  }),
  "canopy.kv.clear": sync("kv", (context) => context.kv((txn) => txn.clear(canopyKvMap))),

  "canopy.rpc.register": sync("rpc", (context, [method, permission]) => {
    mainOnly(context, "canopy.rpc.register");
    context.registerRpc(text(method, "method", 100), rpcPermission(permission));
  }),
  "canopy.rpc.unregister": sync("rpc", (context, [method]) => context.unregisterRpc(text(method, "method", 100))),
  "canopy.rpc.on": sync("rpc", (context, [event]) => {
    mainOnly(context, "canopy.rpc.on");
    context.subscribe(`rpc.${listenerEvent(event, ["connected", "disconnected"])}`);
  }),
  "canopy.rpc.emit": sync("rpc", (context, [event, payload]) => context.platform.rpcEmit({ kind: "all" }, text(event, "event", 100), payload ?? null), rpcPayload),
  "canopy.rpc.emitToPage": sync(
    "rpc",
    (context, [pageId, event, payload]) => {
      context.platform.rpcEmit({ kind: "page", pageId: text(pageId, "pageId", 40) }, text(event, "event", 100), payload ?? null);
    },
    rpcPayload,
  ),
  "canopy.rpc.emitToUser": sync(
    "rpc",
    (context, [userId, event, payload]) => {
      context.platform.rpcEmit({ kind: "user", userId: text(userId, "userId", 64) }, text(event, "event", 100), payload ?? null);
    },
    rpcPayload,
  ),

  "canopy.pages.publish": async("pages", (context, [pageId, options]) => {
    const id = text(pageId, "pageId", 40);
    if (!context.pageIds.has(id)) throw new RangeError(`No page ${id} in app.json`);
    const title = options && typeof options === "object" ? (options as { title?: unknown }).title : undefined;
    return context.platform.pagePublish(id, true, title === undefined ? undefined : text(title, "title", 80));
  }),
  "canopy.pages.unpublish": async("pages", (context, [pageId]) => context.platform.pagePublish(text(pageId, "pageId", 40), false)),

  "canopy.streams.status": async("streams", (context, [channel]) => context.platform.streamStatus(text(channel, "channel", 64))),
  "canopy.streams.on": sync("streams", (context, [event]) => {
    mainOnly(context, "canopy.streams.on");
    context.subscribe(`streams.${listenerEvent(event, ["online", "offline"])}`);
  }),

  "canopy.users.get": async("users", (context, [username]) => context.platform.userGet(text(username, "username", 64))),

  ...Object.fromEntries(
    (["debug", "info", "warn", "error"] as const).map((level) => [`canopy.log.${level}`, sync("log", (context, args) => context.log(level, logArgs(args)))]),
  ),

  "ccf.enableUntrustedDateTime": sync(undefined, (context, [enable]) => context.setUntrustedDateTime(Boolean(enable))),
  "ccf.enableMetricsLogging": sync(undefined, (context, [enable]) => context.setMetricsLogging(Boolean(enable))),
  "ccf.crypto.digest": sync(undefined, (_context, [algorithm, data]) => {
    const name = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" }[String(algorithm)];
    if (!name) throw new TypeError("Unsupported digest algorithm");
    return arrayBufferOf(crypto.createHash(name).update(bytes(data, "data")).digest());
  }),
  "ccf.kv.get": sync(undefined, (context, [map, key]) => {
    const value = context.kv((txn) => txn.get(ccfMap(map), kvKey(bytes(key, "key"))));
    return value === undefined ? undefined : arrayBufferOf(value);
  }),
  "ccf.kv.has": sync(undefined, (context, [map, key]) => context.kv((txn) => txn.get(ccfMap(map), kvKey(bytes(key, "key"))) !== undefined)),
  "ccf.kv.set": sync(undefined, (context, [map, key, value]) => context.kv((txn) => txn.set(ccfMap(map), kvKey(bytes(key, "key")), bytes(value, "value")))),
  "ccf.kv.delete": sync(undefined, (context, [map, key]) => context.kv((txn) => txn.delete(ccfMap(map), kvKey(bytes(key, "key"))))),
  "ccf.kv.clear": sync(undefined, (context, [map]) => context.kv((txn) => txn.clear(ccfMap(map)))),
  "ccf.kv.keys": sync(undefined, (context, [map]) => context.kv((txn) => txn.keys(ccfMap(map)).map((key) => arrayBufferOf(Buffer.from(key, "base64"))))),

  console: sync(undefined, (context, [level, message, totalBytes]) => {
    const levels = ["log", "info", "warn", "error", "debug"] as const;
    context.log(levels.includes(level as never) ? (level as (typeof levels)[number]) : "log", text(message, "message", Infinity), typeof totalBytes === "number" ? totalBytes : undefined);
  }),
  // Not measured here (that would cost a pass over every response): a response is checked
  // against its own limits when it is parsed, an rpc result by the rpc call.
  "entry.done": sync(
    undefined,
    (context, [id, result]) => {
      if (typeof id === "number") context.entryDone(id, result);
    },
    () => Infinity,
  ),
  "timer.set": sync(undefined, (context, [ms, repeat]) => context.setTimer(typeof ms === "number" && Number.isFinite(ms) ? ms : 0, Boolean(repeat))),
  "timer.clear": sync(undefined, (context, [id]) => {
    if (typeof id === "number") context.clearTimer(id);
  }),
  "text.encode": sync(undefined, (_context, [value]) => arrayBufferOf(Buffer.from(text(value, "text", Infinity)))),
  "text.decode": sync(undefined, (_context, [value]) => bytes(value, "buffer").toString("utf8")),
  "base64.encode": sync(undefined, (_context, [value]) => {
    const input = text(value, "data", Infinity);
    if (/[\u0100-\uffff]/.test(input)) throw new RangeError("btoa: the string contains characters outside of Latin1");
    return Buffer.from(input, "latin1").toString("base64");
  }),
  "base64.decode": sync(undefined, (_context, [value]) => Buffer.from(text(value, "data", Infinity), "base64").toString("latin1")),
  "crypto.randomUUID": sync(undefined, () => crypto.randomUUID()),
  // URL parsing for the isolate's URL class: null for what does not parse (the isolate throws).
  "url.parse": sync(undefined, (_context, [input, base]) => {
    const url = text(input, "url", maxUrlLength);
    const against = base === null || base === undefined ? undefined : text(base, "base", maxUrlLength);
    try {
      return urlParts(new URL(url, against));
    } catch {
      return null;
    }
  }),
  "url.set": sync(undefined, (_context, [href, part, value]) => {
    if (typeof part !== "string" || !settableUrlParts.includes(part)) throw new TypeError(`Cannot set a URL's ${String(part)}`);
    const url = new URL(text(href, "href", maxUrlLength));
    // As in browsers, a value a part does not accept leaves the URL as it was.
    (url as unknown as Record<string, string>)[part] = text(value, part, maxUrlLength);
    return urlParts(url);
  }),
  "crypto.random": sync(undefined, (_context, [length]) => arrayBufferOf(crypto.randomBytes(Math.max(0, Math.min(65536, Number(length) || 0))))),
};

/** What the app called, for errors: the op names of the isolate's globals are not what it wrote. */
export const hostCallNames: Record<string, string> = {
  "base64.encode": "btoa",
  "base64.decode": "atob",
  "text.encode": "UTF-8 encoding (TextEncoder, ccf.strToBuf, ccf.jsonCompatibleToBuf)",
  "text.decode": "UTF-8 decoding (TextDecoder, ccf.bufToStr, ccf.bufToJsonCompatible)",
  "url.parse": "URL",
  "url.set": "URL",
  "crypto.randomUUID": "crypto.randomUUID",
  "crypto.random": "crypto.getRandomValues",
};

/** Refuses arguments beyond the operation's input limit, before it spends the host's time on them. */
export function checkHostInput(op: string, operation: HostOperation, args: unknown[], bytes: ByteBudget): void {
  const limit = operation.maxInputBytes ? operation.maxInputBytes(bytes) : bytes.hostInputBytes;
  if (limit === Infinity) return;
  let total = 0;
  for (const arg of args) {
    const left = limit - total;
    if (typeof arg === "string") total += utf8Bytes(arg, left);
    else if (arg instanceof ArrayBuffer || ArrayBuffer.isView(arg)) total += arg.byteLength;
    else if (arg !== null && typeof arg === "object") total += messageBytes(arg, left);
    else total += 8;
    if (total > limit) throw new RangeError(`${hostCallNames[op] ?? op}: the input is more than ${limit} bytes (the limit of one call)`);
  }
}
