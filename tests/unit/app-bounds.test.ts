// Everything app code makes leave its isolate is bounded in bytes where it is made, and excess is
// an error for that app alone, thrown in its isolate where it can be caught. Host time spent on
// its calls counts against its CPU; a KV commit the server refuses changes nothing.
import { afterEach, describe, expect, it } from "vitest";
import { appManifestSchema } from "@/server/apps/manifest";
import type { AppInstance } from "@/worker/apps/app-instance";
import { KvStore } from "@/worker/apps/kv-store";
import { byteBudget } from "@/worker/apps/limits";
import { getRequest, testAppInstance } from "../helpers/app-instance";

const budget = byteBudget(1 << 20);

const module = `
const caught = (fn) => { try { fn(); return { body: { ok: true } }; } catch (error) { return { body: { error: error.name + ": " + error.message } }; } };
export const euroBody = () => ({ body: "€".repeat(900000) });
export const asciiBody = () => ({ body: "x".repeat(900000) });
export const manyHeaders = () => ({ headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => ["x-h" + i, "v".repeat(8000)])) });
export const bigHeaders = () => ({ headers: Object.fromEntries(Array.from({ length: 50 }, (_, i) => ["x-h" + i, "v".repeat(8000)])) });
export const bigBtoa = () => caught(() => btoa("a".repeat(9 * 1024 * 1024)));
export const bigAtob = () => caught(() => atob("QUFB".repeat(2.4 * 1024 * 1024)));
export const bigJson = () => caught(() => ccf.jsonCompatibleToBuf({ text: "a".repeat(9 * 1024 * 1024) }));
export const euroEncode = () => caught(() => ccf.strToBuf("€".repeat(900000)));
export const bigDigest = () => caught(() => ccf.crypto.digest("SHA-256", new ArrayBuffer(9 * 1024 * 1024)));
export const bigUrl = () => caught(() => new URL("https://example.com/" + "a".repeat(100000)));
export const bigEmit = () => caught(() => canopy.rpc.emit("big", { data: "x".repeat(1200 * 1024) }));
export const emit = () => caught(() => canopy.rpc.emit("small", { data: "x".repeat(1000) }));
export const manyKeys = () => caught(() => { const map = ccf.kv.tiny; for (let i = 0; i < 180000; i++) map.set(ccf.strToBuf("k" + i), new ArrayBuffer(1)); });
export const hugeValues = () => caught(() => { for (let i = 0; i < 4; i++) ccf.kv.big.set(ccf.strToBuf("k" + i), new ArrayBuffer(400 * 1024)); });
export const bigLog = () => { console.log("€".repeat(1000000)); return { body: { ok: true } }; };
export function write() { ccf.kv.state.set(ccf.strToBuf("v"), ccf.strToBuf("new")); return { body: { ok: true } }; }
export function readState() { const value = ccf.kv.state.get(ccf.strToBuf("v")); return { body: { value: value === undefined ? null : ccf.bufToStr(value), size: ccf.kv.state.size } }; }
export async function lookup() { await canopy.users.get("someone"); return { body: { ok: true } }; }
`;

const main = `canopy.rpc.register("big", "guest", () => "x".repeat(1200 * 1024));
canopy.rpc.register("small", "guest", () => ({ fine: true }));`;

const names = ["euroEncode", "euroBody", "asciiBody", "manyHeaders", "bigHeaders", "bigBtoa", "bigAtob", "bigJson", "bigDigest", "bigUrl", "bigEmit", "emit", "manyKeys", "hugeValues", "bigLog", "write", "readState", "lookup"];
const manifest = appManifestSchema.parse({
  main: "main.js",
  permissions: ["kv", "rpc", "users"],
  endpoints: Object.fromEntries(names.map((name) => [`/${name}`, { get: { js_module: "app.js", js_function: name, mode: "readwrite" } }])),
});

let instance: AppInstance | undefined;
afterEach(() => instance?.dispose());

async function start(deps: Parameters<typeof testAppInstance>[0]["deps"] = {}) {
  instance = testAppInstance({ manifest, modules: { "app.js": module, "main.js": main }, limits: { memoryMb: 128, logLinesPerSecond: 1000 }, deps });
  await instance.start();
  return instance;
}

async function call(app: AppInstance, name: string) {
  const response = await app.handle(getRequest(`/${name}`));
  return { status: response.status, headers: response.headers, text: Buffer.from(response.body).toString("utf8") };
}

const errorOf = async (app: AppInstance, name: string) => (JSON.parse((await call(app, name)).text) as { error?: string }).error;

describe("bounded at the source", () => {
  it("counts a text body in UTF-8 bytes, not UTF-16 units", async () => {
    const app = await start();
    const euro = await call(app, "euroBody");
    expect(euro.status).toBe(500);
    expect(euro.text).toContain(`Response body larger than ${budget.responseBodyBytes} bytes`);
    expect((await call(app, "asciiBody")).status).toBe(200);
  });

  it("limits a response's header count and header bytes", async () => {
    const app = await start();
    expect((await call(app, "manyHeaders")).text).toContain(`at most ${budget.responseHeaderCount} headers`);
    expect((await call(app, "bigHeaders")).text).toContain(`Response headers larger than ${budget.responseHeaderBytes} bytes`);
  });

  it("refuses host-function inputs over their cap with an error the app can catch", async () => {
    const app = await start();
    expect(await errorOf(app, "bigBtoa")).toBe(`RangeError: btoa: the input is more than ${budget.hostInputBytes} bytes (the limit of one call)`);
    expect(await errorOf(app, "bigAtob")).toMatch(/^RangeError: atob: the input is more than/);
    expect(await errorOf(app, "bigJson")).toMatch(/^RangeError: UTF-8 encoding .* the input is more than/);
    // Fewer UTF-16 units than the limit but more bytes: refused by the host, in bytes.
    expect(await errorOf(app, "euroEncode")).toBe(`RangeError: UTF-8 encoding (TextEncoder, ccf.strToBuf, ccf.jsonCompatibleToBuf): the input is more than ${budget.hostInputBytes} bytes (the limit of one call)`);
    expect(await errorOf(app, "bigDigest")).toMatch(/^RangeError: ccf\.crypto\.digest: the input is more than/);
    expect(await errorOf(app, "bigUrl")).toMatch(/^RangeError: url is longer than/);
  });

  it("limits an rpc emit's payload and an rpc method's result", async () => {
    const emitted: unknown[] = [];
    const app = await start({ platform: { ...unusedPlatform, rpcEmit: (_to, event) => emitted.push(event) } });
    expect(await errorOf(app, "bigEmit")).toBe(`RangeError: canopy.rpc.emit: the input is more than ${budget.rpcPayloadBytes} bytes (the limit of one call)`);
    expect(await errorOf(app, "emit")).toBeUndefined();
    expect(emitted).toEqual(["small"]);
    expect(await app.dispatch("canopy.rpc.register:big", { caller: null }, [])).toEqual({ ok: false, message: `RangeError: An rpc result is at most ${budget.rpcPayloadBytes} bytes as JSON` });
    expect(await app.dispatch("canopy.rpc.register:small", { caller: null }, [])).toEqual({ ok: true, value: { fine: true } });
  });

  it("limits a KV transaction's writes and bytes", async () => {
    const committed: number[] = [];
    const app = await start({ commitKv: async (writes) => void committed.push(writes.writes.length) });
    expect(await errorOf(app, "manyKeys")).toBe(`RangeError: KV transaction limit: one transaction writes at most ${budget.kvTransactionWrites} keys`);
    expect(await errorOf(app, "hugeValues")).toBe(`RangeError: KV transaction limit: one transaction writes at most ${budget.kvTransactionBytes} bytes (keys and values in base64)`);
    // What the app wrote before the limit is committed as one write set within it.
    expect(committed).toEqual([budget.kvTransactionWrites, 1]);
  });

  it("cuts a log line to the line limit, saying how much was dropped", async () => {
    const lines: string[] = [];
    const app = await start({ log: (entry) => void (entry.level === "log" && lines.push(entry.message)) });
    expect((await call(app, "bigLog")).status).toBe(200);
    expect(lines).toHaveLength(1);
    expect(Buffer.byteLength(lines[0]!)).toBeLessThanOrEqual(budget.logLineBytes);
    expect(lines[0]).toMatch(/… \[truncated \d+ bytes\]$/);
  });
});

const unusedPlatform = { chatSend: () => Promise.reject(new Error("unused")), chatDelete: () => Promise.reject(new Error("unused")), userGet: () => Promise.reject(new Error("unused")), streamStatus: () => Promise.reject(new Error("unused")), pagePublish: () => Promise.reject(new Error("unused")), rpcEmit: () => undefined };

describe("host time and KV commits", () => {
  it("charges the host's time in the app's calls to the app's CPU", async () => {
    // A host function that keeps the host busy for 60 ms while the isolate waits.
    const busy = () => {
      const end = performance.now() + 60;
      while (performance.now() < end);
      return Promise.resolve(null);
    };
    const app = await start({ platform: { ...unusedPlatform, userGet: busy } });
    const before = app.cpuMs();
    expect((await call(app, "lookup")).status).toBe(200);
    expect(app.cpuMs() - before).toBeGreaterThanOrEqual(60);
    app.sampleCpu();
    expect(app.cpuLastMinute.total()).toBeGreaterThanOrEqual(60);
  });

  it("a commit the server refuses fails the request and leaves the app's data as it was", async () => {
    let refuse = true;
    const kv = new KvStore(1 << 20, budget, [{ map: "state", key: Buffer.from("v").toString("base64"), value: Buffer.from("old").toString("base64") }]);
    const app = await start({ kv, commitKv: async () => (refuse ? Promise.reject(new Error("Invalid data for appKvCommit")) : undefined) });
    await expect(call(app, "write")).rejects.toMatchObject({ status: 500, message: "KV commit refused, nothing was written: Invalid data for appKvCommit" });
    expect(JSON.parse((await call(app, "readState")).text)).toEqual({ value: "old", size: 1 });
    refuse = false;
    expect((await call(app, "write")).status).toBe(200);
    expect(JSON.parse((await call(app, "readState")).text)).toEqual({ value: "new", size: 1 });
  });
});
