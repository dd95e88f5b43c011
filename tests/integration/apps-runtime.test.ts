// The app runtime through the real server, worker, HTTP and chat socket: a CCF bundle deployed
// with a set_js_app proposal, endpoint semantics, and containment of hostile code while a
// well-behaved app and chat keep answering.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { connectNamespace } from "../helpers/connect-namespace";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";
import { loggingAppProposal } from "../fixtures/ccf-logging-app";

let server: RunningServer;
let staff: TestClient;
let guest: TestClient;

const goodApp = {
  actions: [
    {
      name: "set_js_app",
      args: {
        bundle: {
          metadata: { endpoints: { "/ping": { get: { js_module: "ping.ts", js_function: "ping" } } } },
          modules: [{ name: "ping.ts", module: "export function ping(request: { query: string }): { body: unknown } { const n: number = 1; return { body: { pong: n, q: request.query } }; }" }],
        },
      },
    },
  ],
};

async function deploy(appId: string, proposal: unknown) {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(proposal) });
  return { status: response.status, body: (await response.json()) as { ok: boolean; reason?: string; deploymentId?: string } };
}

async function expectHealthy(chat: Socket) {
  const ping = await guest.fetch("/apps/good-app/api/ping?x=1");
  expect(ping.status).toBe(200);
  expect(await ping.json()).toEqual({ pong: 1, q: "x=1" });
  const ack = await chat.timeout(5000).emitWithAck("message", { type: "channel", target: "lobby", text: "still here" });
  expect(ack.error).toBeUndefined();
}

let chat: Socket;

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "appstaff", CANOPY_ADMIN_PASSWORD: "apps-staff-password", APPS_REQUEST_TIMEOUT_MS: "2000", APPS_CPU_MS_PER_CALL: "1000", APPS_KV_MAX_BYTES: "500000", APPS_SUSPEND_AFTER_VIOLATIONS: "1000", APPS_CHAT_SENDS_PER_MINUTE: "3", CHAT_RATE_LIMIT_MESSAGES: "1000" } });
  staff = new TestClient(server.url);
  guest = new TestClient(server.url);
  expect(await staff.signIn("appstaff", "apps-staff-password")).toBe(true);
  for (const id of ["logging", "good-app"]) {
    const created = await staff.mutation("apps.create", { id, name: id });
    expect(created.error).toBeUndefined();
  }
  await staff.mutation("chat.createChannel", { name: "lobby" }).catch(() => undefined);
  chat = await connectNamespace(server.url, "/chat", staff.cookieHeader());
  await chat.timeout(5000).emitWithAck("join", { channel: "lobby" }).catch(() => undefined);
  // The worker registers its apps capability with its first heartbeat.
  for (let i = 0; i < 50; i++) {
    const result = await deploy("good-app", goodApp);
    if (result.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect((await deploy("logging", loggingAppProposal())).status).toBe(200);
}, 120_000);

afterAll(async () => {
  chat?.close();
  await server?.stop();
});

describe("deploy route", () => {
  it("refuses non-staff and malformed proposals with 4xx", async () => {
    expect((await guest.fetch("/api/apps/logging/deploy", { method: "POST", body: "{}" })).status).toBe(401);
    const bad = await deploy("logging", { actions: [{ name: "set_js_app", args: { bundle: { metadata: {}, modules: "nope" } } }] });
    expect(bad.status).toBe(400);
    const unknownAction = await deploy("logging", { actions: [{ name: "remove_everything" }] });
    expect(unknownAction.status).toBe(400);
    const syntax = await deploy("good-app", { actions: [{ name: "set_js_app", args: { bundle: { metadata: { endpoints: { "/x": { get: { js_module: "x.js", js_function: "x" } } } }, modules: [{ name: "x.js", module: "export function x( {" }] } } }] });
    expect(syntax.body.ok).toBe(false);
    expect(syntax.body.reason).toContain("src/x.js:1");
    // A bundle that does not validate: the answer says where and what.
    const missing = await deploy("good-app", { actions: [{ name: "set_js_app", args: { bundle: { metadata: { endpoints: { "/x": { get: { js_module: "nope.js", js_function: "x" } } } }, modules: [{ name: "x.js", module: "export function x() {}" }] } } }] });
    expect(missing.status).toBe(400);
    expect(missing.body.reason).toMatch(/app\.json.*endpoints.*nope\.js/);
    // The previous deployment keeps serving.
    expect((await guest.fetch("/apps/good-app/api/ping")).status).toBe(200);
  });
});

describe("CCF endpoint semantics", () => {
  it("stores and reads records through ccf.kv with params, body and query", async () => {
    expect((await guest.fetch("/apps/logging/api/log/42", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ msg: "hello" }) })).status).toBe(204);
    const read = await guest.fetch("/apps/logging/api/log/42");
    expect(await read.json()).toEqual({ id: "42", msg: "hello" });
    expect((await guest.fetch("/apps/logging/api/log/43")).status).toBe(404);
    const count = await guest.fetch("/apps/logging/api/count?echo=hi%20there");
    expect(await count.json()).toMatchObject({ count: 1, size: 1, echo: "hi there", caller: null });
  });

  it("discards the transaction when the handler throws, and readonly refuses writes", async () => {
    expect((await guest.fetch("/apps/logging/api/fail/7", { method: "POST", body: "" })).status).toBe(500);
    expect((await guest.fetch("/apps/logging/api/log/7")).status).toBe(404);
    const readonly = await guest.fetch("/apps/logging/api/readonly", { method: "POST", body: "" });
    expect(readonly.status).toBe(500);
    expect(JSON.stringify(await readonly.json())).toContain("readonly");
  });

  it("checks authn policies before the app runs", async () => {
    expect((await guest.fetch("/apps/logging/api/private")).status).toBe(401);
    const mine = await staff.fetch("/apps/logging/api/private");
    expect(await mine.json()).toMatchObject({ caller: "appstaff" });
    expect((await staff.fetch("/apps/logging/api/staff-only")).status).toBe(200);
  });

  it("answers 404 and 405 for unknown paths and methods, and serves openapi.json", async () => {
    expect((await guest.fetch("/apps/logging/api/nothing")).status).toBe(404);
    expect((await guest.fetch("/apps/logging/api/log/1", { method: "DELETE" })).status).toBe(405);
    expect((await guest.fetch("/apps/nope-app/api/x")).status).toBe(404);
    const openapi = (await (await guest.fetch("/apps/logging/api/openapi.json")).json()) as { paths: Record<string, Record<string, { summary?: string }>> };
    expect(openapi.paths["/log/{id}"]!.get!.summary).toBe("Read a record");
  });

  it("keeps execution metrics per request in the app's log, readable by staff", async () => {
    // The worker sends log lines in batches, so the line may arrive a moment after the answer.
    await waitFor(async () => {
      const logs = await staff.query<{ level: string; metrics?: { path: string; status: number } }[]>("appRuntime.logs", { appId: "logging", target: "live" });
      return logs.data!.some((entry) => entry.level === "metric" && entry.metrics?.path === "/log/42");
    }, 10_000);
    expect((await guest.query("appRuntime.logs", { appId: "logging", target: "live" })).status).toBe(401);
  });

  it("serves the platform's type definitions", async () => {
    const types = (await (await guest.fetch("/api/apps/types")).json()) as { files: { path: string; content: string }[] };
    expect(types.files.map((file) => file.path)).toEqual(["canopy.d.ts", "ccf.d.ts", "appbridge.d.ts"]);
  });
});

describe("hostile apps are contained while a good app and chat keep answering", () => {
  const cases: [string, (response: Response, text: string) => void][] = [
    ["loop", (response) => expect(response.status).toBe(500)],
    ["loopAfterAwait", (response) => expect(response.status).toBeGreaterThanOrEqual(500)],
    ["microtasks", (response) => expect([200, 500, 503]).toContain(response.status)],
    ["typedArrays", (response) => expect(response.status).toBeGreaterThanOrEqual(500)],
    ["memoryBomb", (response, text) => { expect(response.status, text).toBe(503); expect(text).toContain("Memory limit"); }],
    ["recurse", (response, text) => { expect(response.status).toBe(500); expect(text).toContain("RangeError"); }],
    ["timerFlood", (_response, text) => expect(text).toContain("Timer limit")],
    ["logFlood", (response) => expect(response.status).toBe(200)],
    ["kvFlood", (response, text) => { expect(text).toContain("quota"); expect(response.status).toBe(507); }],
    ["chatSpam", (_response, text) => expect(text).toContain("Chat limit")],
    ["huge", (response) => expect(response.status).toBe(500)],
    ["throwString", (response, text) => { expect(response.status).toBe(500); expect(text).toContain("a string"); }],
    ["throwNull", (response) => expect(response.status).toBe(500)],
    ["never", (response) => expect(response.status).toBe(504)],
  ];
  for (const [name, check] of cases) {
    it(name, async () => {
      const response = await guest.fetch(`/apps/logging/api/hostile/${name}`);
      check(response, await response.text());
      // A disposed isolate comes back by itself.
      for (let i = 0; i < 30; i++) {
        if ((await guest.fetch("/apps/logging/api/count")).status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await expectHealthy(chat);
    });
  }

  it("escape attempts find no process, require or imports, and pollution stays in the request", async () => {
    const response = await guest.fetch("/apps/logging/api/hostile/escape");
    const probes = await response.json();
    expect(probes).toMatchObject({ process: "undefined", require: "undefined", ctorProcess: "undefined", ctorGlobal: "undefined", dynamicImport: "refused" });
    const clean = (await (await guest.fetch("/apps/logging/api/log/42")).json()) as Record<string, unknown>;
    expect(clean.polluted).toBeUndefined();
    await expectHealthy(chat);
  });

  it("filters response headers an app may not set", async () => {
    const response = await guest.fetch("/apps/logging/api/hostile/badHeaders");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("x-ok")).toBeNull();
    expect(response.headers.get("x-app-ok")).toBe("1");
  });

  it("records violations in the app's log", async () => {
    let reasons = "";
    await waitFor(async () => {
      const logs = await staff.query<{ level: string; message: string }[]>("appRuntime.logs", { appId: "logging", target: "live", limit: 2000 });
      reasons = logs.data!.filter((entry) => entry.level === "violation").map((entry) => entry.message).join("\n");
      return ["CPU limit", "Timer limit", "KV quota", "Memory limit"].every((reason) => reasons.includes(reason));
    }, 10_000).catch(() => undefined);
    expect(reasons).toContain("CPU limit");
    expect(reasons).toContain("Timer limit");
    expect(reasons).toContain("KV quota");
    expect(reasons).toContain("Memory limit");
  });

  it("one memory bomb is one violation and one restart, however many entries saw the isolate end", async () => {
    const logsAfter = async (afterSeq?: number) =>
      (await staff.query<{ seq: number; level: string; message: string }[]>("appRuntime.logs", { appId: "logging", target: "live", afterSeq, limit: 2000 })).data!;
    // Log lines travel in batches: let the earlier cases' lines arrive first. Counting only lines
    // after this mark keeps late flood lines, which trim the ring, from hiding the count.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const mark = (await logsAfter()).at(-1)?.seq ?? 0;
    const memoryViolations = async () => (await logsAfter(mark)).filter((entry) => entry.level === "violation" && entry.message.startsWith("Memory limit")).length;
    const [bomb, bystander] = await Promise.all([guest.fetch("/apps/logging/api/hostile/memoryBomb"), guest.fetch("/apps/logging/api/hostile/never")]);
    expect(bomb.status).toBe(503);
    expect(bystander.status).toBeGreaterThanOrEqual(500);
    await waitFor(async () => (await memoryViolations()) > 0, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await memoryViolations()).toBe(1);
    await expectHealthy(chat);
  });
});
