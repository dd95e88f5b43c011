// The script that runs first in every context of an app's isolate. It builds the `canopy`, `ccf`,
// `console`, timer and encoding globals from the platform API declaration on top of one host
// callback (arguments and results are copies), and completes with the entry points the host
// calls: invoke (an endpoint), settle (an async host call finished), fire (a timer), dispatch
// (an event or rpc call). Host objects never enter the isolate.
import { canopyFunctionKeys, ccfCryptoFunctions, ccfFunctions, platformModules } from "../../server/apps/platform-api/declaration";
import { hostCallNames } from "./host-api";
import type { ByteBudget } from "./limits";
import { urlSource } from "./isolate-url";
import { utf8InIsolateMaxLength, utf8Source } from "./isolate-utf8";

export type BootstrapConfig = {
  modules: { name: string; functions: { name: string; kind: string }[] }[];
  ccf: { name: string; kind: string }[];
  ccfCrypto: string[];
  /** app.json's ccf_untrusted_date_time: Date.now() is 0 until ccf.enableUntrustedDateTime(true). */
  ccfDateStub: boolean;
  /** The isolate checks what it hands out against these, so the app gets the error (the host checks again). */
  bytes: Pick<ByteBudget, "responseBodyBytes" | "responseHeaderCount" | "responseHeaderBytes" | "rpcPayloadBytes" | "logLineBytes" | "hostInputBytes">;
};

export function bootstrapConfig(options: { ccfDateStub: boolean; bytes: BootstrapConfig["bytes"] }): BootstrapConfig {
  return {
    modules: platformModules.map((module) => ({ name: module.name, functions: module.functions.map((fn) => ({ name: fn.name, kind: fn.kind })) })),
    ccf: ccfFunctions.map((fn) => ({ name: fn.name, kind: fn.kind })),
    ccfCrypto: ccfCryptoFunctions.map((fn) => fn.name),
    ...options,
  };
}

/** Every host operation name the bootstrap may call; the host implements exactly these. */
export function hostOperationNames(): string[] {
  return [
    ...canopyFunctionKeys().map((key) => `canopy.${key}`),
    ...ccfFunctions.filter((fn) => fn.kind !== "isolate").map((fn) => `ccf.${fn.name}`),
    ...ccfCryptoFunctions.map((fn) => `ccf.crypto.${fn.name}`),
    ...["kv.get", "kv.has", "kv.set", "kv.delete", "kv.clear", "kv.keys"].map((op) => `ccf.${op}`),
    "console",
    "entry.done",
    "timer.set",
    "timer.clear",
    "text.encode",
    "text.decode",
    "base64.encode",
    "base64.decode",
    "crypto.randomUUID",
    "crypto.random",
    "url.parse",
    "url.set",
  ];
}

/**
 * The bootstrap with the app's config written in as code: every API function is a literal
 * closure with its operation name as a constant, so a fresh context builds its globals without
 * loops, string concatenation or keyed stores (those run without type feedback in each new
 * context and were a large part of its setup). Platform-declared names and numbers only, never
 * app input.
 */
export function bootstrapSourceFor(config: BootstrapConfig): string {
  const op = (name: string) => JSON.stringify(name);
  const wrapper = (kind: string, name: string) =>
    kind === "sync" ? `(...args) => call(${op(name)}, args)` : kind === "isolate" ? `inIsolate[${op(name)}]` : kind === "promise" ? `(...args) => callPromise(${op(name)}, args)` : kind === "async" ? `(...args) => callAsync(${op(name)}, args)` : `(...args) => listen(${op(name)}, args)`;
  const object = (entries: [string, string][]) => `{ ${entries.map(([key, value]) => `${JSON.stringify(key)}: ${value}`).join(", ")} }`;
  const canopy = object(config.modules.map((module) => [module.name, `Object.freeze(${object(module.functions.map((fn) => [fn.name, wrapper(fn.kind, `canopy.${module.name}.${fn.name}`)]))})`]));
  const ccf = object(config.ccf.map((fn) => [fn.name, wrapper(fn.kind, `ccf.${fn.name}`)]));
  const ccfCrypto = object(config.ccfCrypto.map((name) => [name, wrapper("sync", `ccf.crypto.${name}`)]));
  const values: Record<string, string> = {
    __CANOPY_API__: canopy,
    __CCF_API__: ccf,
    __CCF_CRYPTO_API__: ccfCrypto,
    __CCF_DATE_STUB__: String(config.ccfDateStub),
    __BYTE_LIMITS__: JSON.stringify({ body: config.bytes.responseBodyBytes, headerCount: config.bytes.responseHeaderCount, headers: config.bytes.responseHeaderBytes, rpc: config.bytes.rpcPayloadBytes, logLine: config.bytes.logLineBytes, hostInput: config.bytes.hostInputBytes, names: hostCallNames }),
    __UTF8__: utf8Source,
    __UTF8_IN_ISOLATE_MAX__: String(utf8InIsolateMaxLength),
    __URL__: urlSource,
  };
  return bootstrapTemplate.replace(/__(?:CANOPY_API|CCF_API|CCF_CRYPTO_API|CCF_DATE_STUB|BYTE_LIMITS|UTF8|UTF8_IN_ISOLATE_MAX|URL)__/g, (name) => values[name]!);
}

const bootstrapTemplate = String.raw`
(() => {
  "use strict";
  const host = globalThis.__canopyHost;
  const limits = __BYTE_LIMITS__;
  delete globalThis.__canopyHost;
  // Blocking or unmetered primitives have no place in a shared worker.
  delete globalThis.SharedArrayBuffer;
  delete globalThis.Atomics;
  delete globalThis.WebAssembly;

  const pending = new Map();
  const timers = new Map();
  const listeners = new Map();
  // An input over the host's limit is refused here, before copying it out costs the host's
  // thread (for a string, more UTF-16 units than the limit are more bytes too); the host checks again.
  const call = (op, args) => {
    for (const arg of args) {
      const size = typeof arg === "string" ? arg.length : arg instanceof ArrayBuffer ? arg.byteLength : 0;
      if (size > limits.hostInput) throw new RangeError((limits.names[op] || op) + ": the input is more than " + limits.hostInput + " bytes (the limit of one call)");
    }
    return host(op, args);
  };
  const callAsync = (op, args) => new Promise((resolve, reject) => pending.set(call(op, args), { resolve, reject }));
  const define = (name, value) => Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
  // The larger API objects are built on first use: building them costs more than most requests'
  // own work, and a fresh context per request mostly never touches them. The accessor is
  // non-configurable and has no setter, so it is as tamper-proof as a frozen data property.
  const lazy = (build) => {
    let value;
    return () => (value === undefined ? (value = build()) : value);
  };
  const defineLazy = (name, get) => Object.defineProperty(globalThis, name, { get, configurable: false, enumerable: false });
  const toBuffer = (value) => {
    if (value instanceof ArrayBuffer) return value;
    if (ArrayBuffer.isView(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
    throw new TypeError("Expected an ArrayBuffer");
  };
__UTF8__
  // More UTF-8 bytes than max? The length alone decides most strings without a pass over them.
  const overBytes = (text, max) => text.length > max || (text.length * 3 > max && utf8Length(text) > max);
  // Short text is converted here, long text by the host (where it is faster than a loop in JS).
  const encodeText = (text) => (text.length <= __UTF8_IN_ISOLATE_MAX__ ? utf8Encode(text).buffer : call("text.encode", [text]));
  const decodeText = (buffer) => (buffer.byteLength <= __UTF8_IN_ISOLATE_MAX__ ? utf8Decode(new Uint8Array(buffer)) : call("text.decode", [buffer]));
  const arrayBuffer = (value) => {
    if (!(value instanceof ArrayBuffer)) throw new TypeError("value must be an ArrayBuffer");
    return value;
  };
  const inIsolate = {
    "ccf.strToBuf": (value) => {
      if (typeof value !== "string") throw new TypeError("value must be a string");
      return encodeText(value);
    },
    "ccf.bufToStr": (value) => decodeText(arrayBuffer(value)),
    "ccf.jsonCompatibleToBuf": (value) => encodeText(JSON.stringify(value) ?? "null"),
    "ccf.bufToJsonCompatible": (value) => JSON.parse(decodeText(arrayBuffer(value))),
  };

  const inspect = (value, depth = 0) => {
    if (typeof value === "string") return value;
    if (value instanceof Error) return value.stack || String(value);
    if (typeof value === "function") return "[Function " + (value.name || "anonymous") + "]";
    if (typeof value !== "object" || value === null) return String(value);
    try { return JSON.stringify(value); } catch { return Object.prototype.toString.call(value); }
  };
  const format = (args) => args.map((arg) => { try { return inspect(arg); } catch { return "[unprintable]"; } }).join(" ");
  const consoleObject = lazy(() => {
    const value = {};
    // A long line crosses to the host only as far as the line limit (that many UTF-16 units hold
    // at least as many bytes), with its full length for the truncation marker.
    const line = (level, text) => (text.length > limits.logLine ? [level, text.slice(0, limits.logLine), utf8Length(text)] : [level, text]);
    for (const level of ["log", "info", "warn", "error", "debug"]) value[level] = (...args) => { call("console", line(level, format(args))); };
    value.trace = value.debug;
    return Object.freeze(value);
  });
  defineLazy("console", consoleObject);

  const addTimer = (fn, ms, args, repeat) => {
    if (typeof fn !== "function") throw new TypeError("Timer callback must be a function");
    const id = call("timer.set", [Number(ms) || 0, repeat]);
    timers.set(id, { fn, args, repeat });
    return id;
  };
  const removeTimer = (id) => { if (timers.delete(id)) call("timer.clear", [id]); };
  define("setTimeout", (fn, ms, ...args) => addTimer(fn, ms, args, false));
  define("setInterval", (fn, ms, ...args) => addTimer(fn, ms, args, true));
  define("clearTimeout", removeTimer);
  define("clearInterval", removeTimer);
  if (typeof globalThis.queueMicrotask !== "function") define("queueMicrotask", (fn) => { Promise.resolve().then(fn); });

  defineLazy("TextEncoder", lazy(() => class TextEncoder { get encoding() { return "utf-8"; } encode(text = "") { return new Uint8Array(encodeText(String(text))); } }));
  defineLazy("TextDecoder", lazy(() => class TextDecoder { get encoding() { return "utf-8"; } decode(buffer) { return buffer === undefined ? "" : decodeText(toBuffer(buffer)); } }));
__URL__
  define("btoa", (text) => call("base64.encode", [String(text)]));
  define("atob", (text) => call("base64.decode", [String(text)]));
  defineLazy("crypto", lazy(() => Object.freeze({
    randomUUID: () => call("crypto.randomUUID", []),
    getRandomValues: (array) => {
      if (!ArrayBuffer.isView(array) || array.byteLength > 65536) throw new TypeError("getRandomValues takes an integer typed array of at most 65536 bytes");
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(new Uint8Array(call("crypto.random", [array.byteLength])));
      return array;
    },
  })));

  const callPromise = (op, args) => { try { return Promise.resolve(call(op, args)); } catch (error) { return Promise.reject(error); } };
  const listen = (op, args) => {
    const listener = args.pop();
    if (typeof listener !== "function") throw new TypeError(op + " takes a function as its last argument");
    call(op, args);
    listeners.set(op + ":" + String(args[0]), listener);
  };
  defineLazy("canopy", lazy(() => {
    const canopy = __CANOPY_API__;
    // kv values are JSON in the host; the isolate encodes and decodes them.
    const kv = canopy.kv;
    canopy.kv = Object.freeze({
      get: (key) => kv.get(String(key)).then((text) => (text === undefined ? undefined : JSON.parse(text))),
      set: (key, value) => { let text; try { text = JSON.stringify(value); } catch (error) { return Promise.reject(error); } if (text === undefined) return Promise.reject(new TypeError("canopy.kv.set: value is not JSON-serialisable")); return kv.set(String(key), text); },
      delete: (key) => kv.delete(String(key)),
      list: (prefix = "", options = {}) => kv.list(String(prefix), options).then((entries) => entries.map(([key, text]) => ({ key, value: JSON.parse(text) }))),
      clear: () => kv.clear(),
    });
    return Object.freeze(canopy);
  }));

  const kvMaps = new Map();
  const kvMap = (name) => {
    if (!kvMaps.has(name)) {
      const map = {
        get: (key) => call("ccf.kv.get", [name, toBuffer(key)]),
        has: (key) => call("ccf.kv.has", [name, toBuffer(key)]),
        set: (key, value) => { call("ccf.kv.set", [name, toBuffer(key), toBuffer(value)]); return map; },
        delete: (key) => call("ccf.kv.delete", [name, toBuffer(key)]),
        clear: () => { call("ccf.kv.clear", [name]); },
        forEach: (callback) => { for (const key of call("ccf.kv.keys", [name])) { const value = call("ccf.kv.get", [name, key]); if (value !== undefined) callback(value, key, map); } },
        get size() { return call("ccf.kv.keys", [name]).length; },
      };
      kvMaps.set(name, Object.freeze(map));
    }
    return kvMaps.get(name);
  };
  let realTime = !__CCF_DATE_STUB__;
  const dateNow = Date.now;
  Date.now = () => (realTime ? dateNow() : 0);
  defineLazy("ccf", lazy(() => {
    const ccf = __CCF_API__;
    ccf.kv = new Proxy(Object.freeze({}), { get: (_, name) => (typeof name === "string" ? kvMap(name) : undefined), set: () => false, defineProperty: () => false });
    ccf.crypto = Object.freeze(__CCF_CRYPTO_API__);
    const enableTime = ccf.enableUntrustedDateTime;
    ccf.enableUntrustedDateTime = (enable) => { const previous = realTime; realTime = Boolean(enable); enableTime(enable); return previous; };
    return Object.freeze(ccf);
  }));

  const describe = (error) => {
    if (error instanceof Error) return { message: (error.name || "Error") + ": " + error.message, stack: typeof error.stack === "string" ? error.stack : "" };
    try { return { message: "Uncaught " + inspect(error), stack: "" }; } catch { return { message: "Uncaught non-Error value", stack: "" }; }
  };
  const encodeBody = (body, headers) => {
    if (body === undefined || body === null) return new ArrayBuffer(0);
    if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
      if (body.byteLength > limits.body) throw new RangeError("Response body larger than " + limits.body + " bytes");
      if (!("content-type" in headers)) headers["content-type"] = "application/octet-stream";
      return toBuffer(body);
    }
    let text = body;
    if (typeof body !== "string") { text = JSON.stringify(body); if (!("content-type" in headers)) headers["content-type"] = "application/json"; }
    else if (!("content-type" in headers)) headers["content-type"] = "text/plain; charset=utf-8";
    if (typeof text !== "string") return new ArrayBuffer(0);
    if (overBytes(text, limits.body)) throw new RangeError("Response body larger than " + limits.body + " bytes (UTF-8)");
    // The host encodes text bodies as it copies the result out: one host call less per request.
    return text;
  };
  const toResponse = (result) => {
    const response = result === undefined || result === null ? {} : result;
    if (typeof response !== "object") throw new TypeError("An endpoint returns {statusCode?, headers?, body?}");
    const status = response.statusCode === undefined ? 200 : Number(response.statusCode);
    const headers = {};
    if (response.headers && typeof response.headers === "object") {
      const keys = Object.keys(response.headers);
      if (keys.length > limits.headerCount) throw new RangeError("A response has at most " + limits.headerCount + " headers");
      let bytes = 0;
      for (const key of keys) {
        const name = String(key).toLowerCase();
        const value = String(response.headers[key]);
        if (overBytes(name, limits.headers) || overBytes(value, limits.headers)) throw new RangeError("Response headers larger than " + limits.headers + " bytes");
        bytes += utf8Length(name) + utf8Length(value);
        if (bytes > limits.headers) throw new RangeError("Response headers larger than " + limits.headers + " bytes");
        headers[name] = value;
      }
    }
    const body = encodeBody(response.body, headers);
    return { status, headers, body };
  };

  const runEntry = (id, fn) => {
    Promise.resolve()
      .then(fn)
      .catch((error) => ({ ok: false, error: describe(error) }))
      .then((result) => call("entry.done", [id, result]))
      .catch(() => call("entry.done", [id, { ok: false, error: { message: "The result could not be copied", stack: "" } }]));
  };

  // invoke and dispatch return at once and report through "entry.done", so every entry into
  // the isolate is a bounded synchronous call the host can time.
  const invoke = (namespace, functionName, request, id) => {
    runEntry(id, async () => {
      const handler = namespace[functionName];
      if (typeof handler !== "function") throw new TypeError("Module does not export a function " + functionName);
      const bodyBuffer = request.body;
      const req = {
        method: request.method, path: request.path, route: request.route, url: request.url, params: request.params,
        query: request.query, headers: request.headers, caller: request.caller,
        body: { text: () => decodeText(bodyBuffer), json: () => JSON.parse(decodeText(bodyBuffer)), arrayBuffer: () => bodyBuffer.slice(0) },
      };
      return { ok: true, response: toResponse(await handler(req)) };
    });
  };
  const settle = (id, ok, value) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (ok) entry.resolve(value);
    else entry.reject(new Error(String(value)));
  };
  const fire = (id) => {
    const timer = timers.get(id);
    if (!timer) return;
    if (!timer.repeat) timers.delete(id);
    try { timer.fn(...timer.args); } catch (error) { consoleObject().error("Uncaught in timer:", error); }
  };
  const dispatch = (key, payload, extra, id) => {
    runEntry(id, async () => {
      const listener = listeners.get(key);
      if (!listener) throw new Error("No listener for " + key);
      const result = extra === undefined || extra === null ? await listener(payload) : await listener(payload, ...extra);
      const json = result === undefined ? "null" : JSON.stringify(result);
      if (json !== undefined && overBytes(json, limits.rpc)) throw new RangeError("An rpc result is at most " + limits.rpc + " bytes as JSON");
      return { ok: true, value: json === undefined ? null : JSON.parse(json) };
    });
  };
  // One entry function (one reference for the host to hold) rather than an object of four.
  return (kind, a, b, c, d) => {
    if (kind === "invoke") return invoke(a, b, c, d);
    if (kind === "settle") return settle(a, b, c);
    if (kind === "fire") return fire(a);
    if (kind === "dispatch") return dispatch(a, b, c, d);
  };
})()
`;
