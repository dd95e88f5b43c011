// Chaos: app hosts SIGKILLed and SIGSEGVed again and again under load, while a real ffmpeg
// publisher is live and a thin device watches a render session. Only the apps feel it: the
// worker keeps its pid, the stream never leaves ONLINE, frames keep arriving, every app request
// either answers or gets a clear 503, and the apps come back each time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { freePort } from "../helpers/free-port";
import { TestClient } from "../helpers/http-client";
import { killAll, publish, type Publisher } from "../helpers/ingest";
import { appHostPidsOf, workerPidOf } from "../helpers/processes";
import { animatedPage, startPageFixture, type PageFixture } from "../helpers/render-pages";
import { startServer, waitFor, type RunningServer } from "../helpers/server";

let server: RunningServer;
let fixture: PageFixture;
let staff: TestClient;
let publisher: Publisher;
let renderSocket: Socket;
const frames: number[] = [];

const ping = (appId: string) => ({
  actions: [
    {
      name: "set_js_app",
      args: {
        bundle: {
          metadata: { endpoints: { "/ping": { get: { js_module: "app.js", js_function: "ping", authn_policies: ["no_auth"], mode: "readonly" } } } },
          modules: [{ name: "app.js", module: `export function ping() { return { body: { app: ${JSON.stringify(appId)} } }; }` }],
        },
      },
    },
  ],
});

const streamStatus = async () => ((await (await fetch(`${server.url}/api/external/getStreamStatus?username=chaos_caster`)).json()) as { streamStatus: string }).streamStatus;

function workerPid(): number {
  const pid = workerPidOf(server.process.pid!);
  if (!pid) throw new Error("no worker process");
  return pid;
}

beforeAll(async () => {
  fixture = await startPageFixture({ "/a/fixture/anim": animatedPage });
  const rtmpPort = await freePort();
  server = await startServer({
    env: {
      CANOPY_PUBLIC_URL: fixture.origin,
      RENDER_WARM_POOL: "1",
      RTMP_PORT: String(rtmpPort),
      RTMP_HOST: "127.0.0.1",
      CANOPY_ADMIN_USERNAME: "chaosstaff",
      CANOPY_ADMIN_PASSWORD: "chaos-staff-password",
      // Killing a host charges its running app; the chaos here is not the apps' fault.
      APPS_SUSPEND_AFTER_VIOLATIONS: "1000",
    },
  });
  staff = new TestClient(server.url);
  expect(await staff.signIn("chaosstaff", "chaos-staff-password")).toBe(true);
  for (const id of ["chaos-a", "chaos-b"]) expect((await staff.mutation("apps.create", { id, name: id })).error).toBeUndefined();
  await waitFor(async () => (await staff.fetch("/api/apps/chaos-a/deploy", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ping("chaos-a")) })).status === 200, 30_000, 250);
  expect((await staff.fetch("/api/apps/chaos-b/deploy", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ping("chaos-b")) })).status).toBe(200);

  const caster = new TestClient(server.url);
  await caster.mutation("account.signUp", { username: "chaos_caster", password: "chaos-caster-password" });
  expect(await caster.signIn("chaos_caster", "chaos-caster-password")).toBe(true);
  const key = (await caster.mutation<{ streamKey: string }>("streams.rotateKey")).data!.streamKey;
  publisher = publish(rtmpPort, key);
  await waitFor(async () => (await streamStatus()) === "ONLINE", 30_000, 250);

  const token = (await caster.mutation<{ token: string }>("tokens.create", { name: "chaos device" })).data!.token;
  await waitFor(async () => (await fetch(`${server.url}/render/health`)).status === 200, 30_000, 250);
  const created = await fetch(`${server.url}/render/api/session/create`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ width: 320, height: 240 }) });
  expect(created.status).toBe(201);
  const sessionId = ((await created.json()) as { session_id: string }).session_id;
  const loaded = await fetch(`${server.url}/render/api/session/${sessionId}/load`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ url: fixture.url("/a/fixture/anim") }) });
  expect(loaded.status).toBe(200);
  renderSocket = io(`${server.url}/render`, { transports: ["websocket"], reconnection: false, auth: { token } });
  renderSocket.on("frame", () => frames.push(Date.now()));
  renderSocket.on("connect", () => renderSocket.emit("subscribe", { session_id: sessionId, binary: true }));
  await waitFor(() => frames.length > 0, 20_000, 100);
}, 180_000);

afterAll(async () => {
  renderSocket?.close();
  await killAll(publisher ? [publisher] : []);
  await server?.stop();
  fixture?.close();
});

describe("app hosts killed under load, with a live stream and a watched render session", () => {
  it("only the apps notice, and they come back every time", async () => {
    const pid = workerPid();
    let stopped = false;
    const statuses: number[] = [];
    const streamReadings: string[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, index) => {
        const appId = index % 2 ? "chaos-a" : "chaos-b";
        while (!stopped) statuses.push((await fetch(`${server.url}/apps/${appId}/api/ping`)).status);
      }),
    );
    const watchStream = (async () => {
      while (!stopped) {
        streamReadings.push(await streamStatus());
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    try {
      for (const signal of ["SIGKILL", "SIGSEGV", "SIGKILL", "SIGSEGV", "SIGKILL", "SIGSEGV"] as const) {
      const hosts = appHostPidsOf(pid);
      expect(hosts.length).toBeGreaterThan(0);
      const framesBefore = frames.length;
      for (const host of hosts) process.kill(host, signal);
      // Both apps answer again, from new hosts.
      const last: Record<string, string> = {};
      const answers = async (appId: string) => {
        const response = await fetch(`${server.url}/apps/${appId}/api/ping`);
        last[appId] = `${response.status} ${await response.text()}`;
        return response.status === 200;
      };
      await waitFor(async () => (await answers("chaos-a")) && (await answers("chaos-b")), 30_000, 100).catch((error: Error) => {
        const logTail = server.logs.join("").split("\n").filter((line) => /app|host/i.test(line)).slice(-30).join("\n");
        throw new Error(`${error.message} after ${signal}; last answers: ${JSON.stringify(last)}; the server's log on apps ends:\n${logTail}`);
      });
      expect(appHostPidsOf(pid).some((host) => hosts.includes(host))).toBe(false);
      // The thin device kept watching.
      await waitFor(() => frames.length > framesBefore, 10_000, 50);
      }
    } finally {
      stopped = true;
      await Promise.all([load, watchStream]);
    }

    for (const status of statuses) expect([200, 503]).toContain(status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(streamReadings.length).toBeGreaterThan(0);
    expect(new Set(streamReadings)).toEqual(new Set(["ONLINE"]));
    expect(publisher.child.exitCode).toBeNull();
    expect(workerPid()).toBe(pid);
    const services = ((await (await fetch(`${server.url}/api/external/`)).json()) as { status: Record<string, string> }).status;
    expect(services).toMatchObject({ ingest: "alive", apps: "alive", render: "alive" });
  }, 240_000);
});
