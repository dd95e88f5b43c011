// Containment by process: app code runs in app-host processes, never in the worker. A hostile
// app that aborts V8, hangs a host outside any timed entry, or whose host is SIGKILLed or
// SIGSEGVed takes down only its own host: the worker keeps its pid, ingest and render stay
// alive, a control app on another host keeps answering, the hostile app's request gets a clear
// 5xx, and an app that keeps killing its host is suspended with the reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";
import { appHostPidsOf, workerPidOf } from "../helpers/processes";

let server: RunningServer;
let staff: TestClient;
let guest: TestClient;

const endpoint = (name: string, extra: Record<string, unknown> = {}) => ({ js_module: "app.js", js_function: name, authn_policies: ["no_auth"], mode: "readwrite", ...extra });

function proposal(endpoints: Record<string, unknown>, module: string) {
  return { actions: [{ name: "set_js_app", args: { bundle: { metadata: { endpoints }, modules: [{ name: "app.js", module }] } } }] };
}

const control = proposal({ "/ping": { get: endpoint("ping") } }, "export function ping() { return { body: { pong: true } }; }");

const burner = proposal({ "/burn": { get: endpoint("burn") } }, "export function burn() { const end = Date.now() + 250; while (Date.now() < end) {} return { body: { burnt: true } }; }");

const breaker = proposal(
  { "/ping": { get: endpoint("ping") }, "/abort": { get: endpoint("abort") } },
  `export function ping() { return { body: { pong: true } }; }
export function abort() { return { body: new Array(1e8).fill(0).length }; }`,
);

// Its own app, so that the violations its hangs are charged with stay apart from the breaker's.
const hanger = proposal(
  { "/ping": { get: endpoint("ping") }, "/finalizer": { get: endpoint("finalizer", { interpreter_reuse: { key: "f" } }) } },
  `export function ping() { return { body: { pong: true } }; }
const registry = new FinalizationRegistry(() => { for (;;) {} });
export function finalizer() { for (let i = 0; i < 2000; i++) registry.register({ big: new Array(1000).fill(i) }, i); return { body: { ok: true } }; }`,
);

function workerPid(): number {
  const pid = workerPidOf(server.process.pid!);
  if (!pid) throw new Error("no worker process");
  return pid;
}

const appHostPids = () => appHostPidsOf(workerPid());

async function deploy(appId: string, body: unknown) {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return response.status;
}

async function status() {
  const response = await guest.fetch("/api/external/");
  return ((await response.json()) as { status: Record<string, string> }).status;
}

/** The app's answer once its host is back (requests meanwhile get 503 "restarting"). */
async function pingWhenBack(appId: string): Promise<number> {
  let last = 0;
  await waitFor(async () => (last = (await guest.fetch(`/apps/${appId}/api/ping`)).status) === 200, 15_000, 100).catch(() => undefined);
  return last;
}

async function expectPlatformUnharmed(pid: number) {
  expect((await guest.fetch("/apps/control/api/ping")).status).toBe(200);
  expect(workerPid()).toBe(pid);
  const services = await status();
  expect(services.ingest).toBe("alive");
  expect(services.apps).toBe("alive");
}

beforeAll(async () => {
  server = await startServer({
    env: {
      CANOPY_ADMIN_USERNAME: "hoststaff",
      CANOPY_ADMIN_PASSWORD: "host-staff-password",
      APPS_SUSPEND_AFTER_VIOLATIONS: "4",
      APPS_REQUEST_TIMEOUT_MS: "3000",
      // Generous per call: the violations under test are the hosts' deaths, not slow calls on a loaded machine.
      APPS_CPU_MS_PER_CALL: "1000",
      // Well above what the aborts and hangs cost on a loaded machine (allocating the bomb alone
      // takes a second of CPU there), so their violations are the deaths under test.
      APPS_CPU_BUDGET_MS_PER_MINUTE: "5000",
      RENDER_ENABLED: "false",
      // One host per app: the control app must not share a host with the app under test, whose
      // host's death restarts every app on it (co-tenants come back, but answer 503 meanwhile).
      APP_HOSTS: "4",
    },
  });
  staff = new TestClient(server.url);
  guest = new TestClient(server.url);
  expect(await staff.signIn("hoststaff", "host-staff-password")).toBe(true);
  for (const id of ["control", "breaker", "hanger", "burner"]) expect((await staff.mutation("apps.create", { id, name: id })).error).toBeUndefined();
  await waitFor(async () => (await deploy("control", control)) === 200, 20_000, 200);
  expect(await deploy("breaker", breaker)).toBe(200);
  expect(await deploy("hanger", hanger)).toBe(200);
  expect(await deploy("burner", burner)).toBe(200);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("app hosts contain what app code does to its process", () => {
  it("runs app code outside the worker, on separate hosts for separate apps", async () => {
    expect(appHostPids().length).toBeGreaterThanOrEqual(2);
    expect((await guest.fetch("/apps/breaker/api/ping")).status).toBe(200);
  });

  it("a V8 fatal out-of-memory aborts only the app's host", async () => {
    const pid = workerPid();
    const response = await guest.fetch("/apps/breaker/api/abort");
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await response.text()).toMatch(/memory|host/i);
    await expectPlatformUnharmed(pid);
    expect(await pingWhenBack("breaker")).toBe(200);
  });

  it("a host hung outside any timed entry is killed by its liveness check", async () => {
    const pid = workerPid();
    // Until the hang is noticed: the host is killed and the next call finds the app restarting.
    // Going on would hang each new host too, and enough kills suspend the app.
    let noticed = false;
    for (let i = 0; i < 25 && !noticed; i++) noticed = (await guest.fetch("/apps/hanger/api/finalizer")).status !== 200;
    expect(noticed).toBe(true);
    await expectPlatformUnharmed(pid);
    expect(await pingWhenBack("hanger")).toBe(200);
  });

  for (const signal of ["SIGKILL", "SIGSEGV"] as const) {
    it(`${signal} of every app host under load restarts the apps; the worker stays`, async () => {
      const pid = workerPid();
      const load = Promise.all(Array.from({ length: 40 }, () => guest.fetch("/apps/control/api/ping").then((response) => response.status)));
      for (const host of appHostPids()) process.kill(host, signal);
      const statuses = await load;
      // Each request either answered or failed with a clear 503; none hung or became a 500.
      for (const code of statuses) expect([200, 503]).toContain(code);
      expect(await pingWhenBack("control")).toBe(200);
      expect(await pingWhenBack("breaker")).toBe(200);
      expect(workerPid()).toBe(pid);
    });
  }

  it("the CPU budget per minute is enforced: an app over it is throttled with 429, others keep serving", async () => {
    let throttled: { status: number; text: string } | undefined;
    // Its host was killed in the tests above: wait until it serves again.
    await waitFor(async () => (await guest.fetch("/apps/burner/api/burn")).status === 200, 15_000, 100);
    for (let i = 0; i < 60 && !throttled; i++) {
      const response = await guest.fetch("/apps/burner/api/burn");
      if (response.status !== 200) throttled = { status: response.status, text: await response.text() };
    }
    expect(throttled?.status).toBe(429);
    expect(throttled?.text).toContain("CPU budget");
    expect((await guest.fetch("/apps/control/api/ping")).status).toBe(200);
  });

  it("an app that keeps killing its host is suspended, with the reason, and the rest keeps serving", async () => {
    const pid = workerPid();
    let suspended = "";
    for (let i = 0; i < 8 && !suspended; i++) {
      const response = await guest.fetch("/apps/breaker/api/abort");
      const text = await response.text();
      if (text.includes("SUSPENDED")) suspended = text;
      else await pingWhenBack("breaker");
    }
    expect(suspended).toContain("Suspended after");
    expect(suspended).toMatch(/memory|host/i);
    await expectPlatformUnharmed(pid);
  });
});
