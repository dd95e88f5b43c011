// Bounded at the source, through the real server, worker and app hosts: each hostile message an
// app can make (huge log bursts, bodies, headers, rpc payloads and results, KV transactions, host
// function inputs) gets that app a clear error, while the worker keeps its bus connection (same
// pid, no disconnect), a control app keeps answering and other requests in flight succeed. A KV
// commit the server refuses leaves the app's data as it was, in the worker and in the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";
import { workerPidOf } from "../helpers/processes";

let server: RunningServer;
let staff: TestClient;
let guest: TestClient;
let page: Socket | undefined;

const endpoint = (name: string) => ({ js_module: "app.js", js_function: name, authn_policies: ["no_auth"], mode: "readwrite" });

function proposal(metadata: Record<string, unknown>, modules: Record<string, string>, files: Record<string, string> = {}) {
  const bundle = {
    metadata,
    modules: Object.entries(modules).map(([name, module]) => ({ name, module })),
    files: Object.entries(files).map(([path, text]) => ({ path, base64: Buffer.from(text).toString("base64") })),
  };
  return { actions: [{ name: "set_js_app", args: { bundle } }] };
}

const control = proposal(
  { endpoints: { "/ping": { get: endpoint("ping") }, "/slow": { get: endpoint("slow") } } },
  { "app.js": "export function ping() { return { body: { pong: true } }; }\nexport async function slow() { await new Promise((resolve) => setTimeout(resolve, 1500)); return { body: { slow: true } }; }" },
);

const hostile = {
  logs: `for (let i = 0; i < 300; i++) console.log("€".repeat(4000) + i); return { body: { logged: true } };`,
  euro: `return { body: "€".repeat(900000) };`,
  headers: `return { headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => ["x-h" + i, "v".repeat(8000)])) };`,
  emit: `canopy.rpc.emit("big", { data: "x".repeat(1200 * 1024) }); return { body: { emitted: true } };`,
  keys: `const map = ccf.kv.tiny; for (let i = 0; i < 180000; i++) map.set(ccf.strToBuf("k" + i), new ArrayBuffer(1)); return { body: { stored: true } };`,
  huge: `for (let i = 0; i < 4; i++) ccf.kv.big.set(ccf.strToBuf("k" + i), new ArrayBuffer(400 * 1024)); return { body: { stored: true } };`,
  btoa: `return { body: btoa("a".repeat(9 * 1024 * 1024)).length };`,
  atob: `return { body: atob("QUFB".repeat(2.4 * 1024 * 1024)).length };`,
  // Parsing 9 MB of JSON (making 9 MB of it costs the isolate's own CPU limit first).
  json: `return { body: ccf.bufToJsonCompatible(new ArrayBuffer(9 * 1024 * 1024)) };`,
  // A map name PostgreSQL cannot store: the server's commit fails, after the worker accepted it.
  refused: `ccf.kv.state.set(ccf.strToBuf("v"), ccf.strToBuf("new")); ccf.kv["bad\\u0000map"].set(ccf.strToBuf("k"), ccf.strToBuf("x")); return { body: { written: true } };`,
  read: `const value = ccf.kv.state.get(ccf.strToBuf("v")); return { body: { value: value === undefined ? null : ccf.bufToStr(value) } };`,
  seed: `ccf.kv.state.set(ccf.strToBuf("v"), ccf.strToBuf("old")); return { body: { seeded: true } };`,
};

const bounded = proposal(
  {
    main: "main.js",
    permissions: ["rpc", "pages", "kv"],
    pages: { main: { file: "pages/index.html", title: "Bounds" } },
    endpoints: Object.fromEntries(Object.keys(hostile).map((name) => [`/${name}`, { get: endpoint(`call_${name}`) }])),
  },
  {
    // Prefixed: an export named btoa would shadow the global it calls.
    "app.js": Object.entries(hostile).map(([name, body]) => `export function call_${name}() { ${body} }`).join("\n"),
    "main.js": `canopy.rpc.register("big", "guest", () => "x".repeat(1200 * 1024));
      canopy.rpc.register("small", "guest", () => "fine");
      canopy.pages.publish("main", { title: "Bounds" });`,
  },
  { "pages/index.html": "<!doctype html><title>Bounds</title><script src='/appbridge.js'></script>" },
);

async function deploy(appId: string, body: unknown) {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return response.status;
}

const workerDisconnects = () => server.logs.join("").split('"internal client disconnected","label":"worker:').length - 1;

async function get(appId: string, name: string) {
  const response = await guest.fetch(`/apps/${appId}/api/${name}`);
  return { status: response.status, text: await response.text() };
}

/** Runs `hostileCall` while requests of the control app are in flight; all of those must succeed. */
async function contained<T>(hostileCall: () => Promise<T>): Promise<T> {
  const pid = workerPidOf(server.process.pid!);
  expect(pid).toBeDefined();
  const disconnects = workerDisconnects();
  const inFlight = Promise.all([get("control", "slow"), ...Array.from({ length: 10 }, () => get("control", "ping"))]);
  const result = await hostileCall();
  for (const response of await inFlight) expect(response.status).toBe(200);
  expect((await get("control", "ping")).status).toBe(200);
  expect(workerPidOf(server.process.pid!)).toBe(pid);
  expect(workerDisconnects()).toBe(disconnects);
  const status = ((await (await guest.fetch("/api/external/")).json()) as { status: Record<string, string> }).status;
  expect(status.apps).toBe("alive");
  return result;
}

beforeAll(async () => {
  // A generous per-call CPU limit keeps these cases about bytes on a loaded machine.
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "boundstaff", CANOPY_ADMIN_PASSWORD: "bounds-staff-password", APPS_SUSPEND_AFTER_VIOLATIONS: "100", APPS_CPU_MS_PER_CALL: "1000", RENDER_ENABLED: "false" } });
  staff = new TestClient(server.url);
  guest = new TestClient(server.url);
  expect(await staff.signIn("boundstaff", "bounds-staff-password")).toBe(true);
  for (const id of ["control", "bounded"]) expect((await staff.mutation("apps.create", { id, name: id })).error).toBeUndefined();
  await waitFor(async () => (await deploy("control", control)) === 200, 20_000, 200);
  expect(await deploy("bounded", bounded)).toBe(200);
}, 120_000);

afterAll(async () => {
  page?.close();
  await server?.stop();
});

describe("every message an app makes is bounded where it is made", () => {
  it("a 3 MB log burst reaches the server in bounded batches of truncated lines", async () => {
    const response = await contained(() => get("bounded", "logs"));
    expect(response.status).toBe(200);
  });

  const refusals: [string, RegExp][] = [
    ["euro", /Response body larger than \d+ bytes \(UTF-8\)/],
    ["headers", /at most 100 headers/],
    ["emit", /canopy\.rpc\.emit: the input is more than \d+ bytes/],
    ["keys", /one transaction writes at most 10000 keys/],
    ["huge", /one transaction writes at most \d+ bytes/],
    ["btoa", /btoa: the input is more than \d+ bytes/],
    ["atob", /atob: the input is more than \d+ bytes/],
    ["json", /UTF-8 decoding .*: the input is more than \d+ bytes/],
  ];
  for (const [name, message] of refusals) {
    it(`${name}: a clear error for the app's caller; the worker and other apps are unharmed`, async () => {
      const response = await contained(() => get("bounded", name));
      expect(response.status).toBe(500);
      expect(response.text).toMatch(message);
    });
  }

  it("an rpc result over the limit is refused to its caller; a small one still answers", async () => {
    page = io(`${server.url}/apps`, { transports: ["websocket"], extraHeaders: { origin: server.url }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      page!.on("connect", () => resolve());
      page!.on("connect_error", reject);
    });
    expect(await page.timeout(15_000).emitWithAck("page:join", { appId: "bounded", pageId: "main" })).not.toHaveProperty("error");
    const callRpc = (method: string) => page!.timeout(15_000).emitWithAck("rpc:call", { appId: "bounded", pageId: "main", method, args: [] }) as Promise<{ result?: unknown; error?: { code: string; message: string } }>;
    const big = await contained(() => callRpc("big"));
    expect(big.error?.message).toMatch(/An rpc result is at most \d+ bytes as JSON/);
    expect(await callRpc("small")).toMatchObject({ data: { result: "fine" } });
  });

  it("a KV commit the server refuses fails the request and changes nothing, in the worker or the database", async () => {
    expect((await get("bounded", "seed")).status).toBe(200);
    const refused = await contained(() => get("bounded", "refused"));
    expect(refused.status).toBe(500);
    expect(refused.text).toContain("KV commit refused, nothing was written");
    expect(JSON.parse((await get("bounded", "read")).text)).toEqual({ value: "old" });
    // The database agrees: the app restarted from the server's KV reads the same.
    expect(await deploy("bounded", bounded)).toBe(200);
    expect(JSON.parse((await get("bounded", "read")).text)).toEqual({ value: "old" });
  });
});
