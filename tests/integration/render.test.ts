// The render farm end to end: the real server, its supervised worker and one real Chromium. A
// small fixture server stands in for Canopy's public origin (CANOPY_PUBLIC_URL), so deterministic
// still, animated and clickable pages can be loaded as "Canopy pages"; real Canopy pages are
// loaded from the server itself. Few sessions, one browser, short waits: the machine is shared.
import { execFileSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { connectNamespace } from "../helpers/connect-namespace";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";
import { animatedPage, clickPage, startPageFixture, type PageFixture } from "../helpers/render-pages";

let server: RunningServer;
let fixture: PageFixture;
let fixtureOrigin: string;
let alice: TestClient;
let bob: TestClient;
let staff: TestClient;
let aliceToken: string;
const sockets: Socket[] = [];

const pages: Record<string, string> = {
  "/a/fixture/still": `<body style="margin:0;background:#fff"><h1>A still page</h1><p>Nothing moves here.</p></body>`,
  "/a/fixture/anim": animatedPage,
  "/a/fixture/click": clickPage,
};

type SessionView = { success: boolean; session_id: string; created_at: number; last_activity: number; page_info: { url: string; title: string }; quality: number; fps: number };
type Frame = { image: Buffer | string; timestamp: number; size: number; width: number; height: number; seq: number };

async function api<T = Record<string, unknown>>(client: TestClient, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await client.fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function createSession(client: TestClient, body: Record<string, unknown> = {}): Promise<SessionView> {
  const created = await api<SessionView>(client, "POST", "/render/api/session/create", { width: 640, height: 360, ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const closeSession = (client: TestClient, id: string) => api(client, "POST", `/render/api/session/${id}/close`);

function watch(sessionId: string, options: { binary?: boolean; token?: string; polling?: boolean } = {}) {
  const socket = io(`${server.url}/render`, { transports: options.polling ? ["polling"] : ["websocket"], reconnection: false, auth: options.token ? { token: options.token } : {} });
  sockets.push(socket);
  const frames: Array<Frame & { receivedAt: number }> = [];
  const events: Array<{ event: string; payload: unknown }> = [];
  socket.on("frame", (frame: Frame) => frames.push({ ...frame, receivedAt: performance.now() }));
  socket.onAny((event: string, payload: unknown) => {
    if (event !== "frame") events.push({ event, payload });
  });
  const subscribed = new Promise<Record<string, unknown>>((resolve, reject) => {
    socket.once("subscribed", resolve);
    socket.once("connect_error", reject);
  });
  socket.on("connect", () => socket.emit("subscribe", { session_id: sessionId, binary: options.binary ?? true }));
  return { socket, frames, events, subscribed };
}

const fixtureUrl = (path: string) => fixtureOrigin + path;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fixture = await startPageFixture(pages, {
    "/a/fixture/redirect-private": "http://10.0.0.1/",
    "/a/fixture/redirect-metadata": "http://169.254.169.254/latest/meta-data/",
    "/a/fixture/redirect-loopback": "http://127.0.0.1:22/",
  });
  fixtureOrigin = fixture.origin;

  server = await startServer({
    env: {
      CANOPY_PUBLIC_URL: fixtureOrigin,
      RENDER_WARM_POOL: "1",
      RENDER_MAX_SESSIONS: "3",
      RENDER_SESSIONS_PER_USER: "2",
      RENDER_SESSION_TIMEOUT_SECONDS: "4",
      RENDER_ALLOWED_HOSTS: "render-test.localhost",
      CANOPY_ADMIN_USERNAME: "rstaff",
      CANOPY_ADMIN_PASSWORD: "render-staff-password",
    },
  });
  alice = new TestClient(server.url);
  bob = new TestClient(server.url);
  staff = new TestClient(server.url);
  await alice.mutation("account.signUp", { username: "ralice", password: "render-alice-password" });
  await bob.mutation("account.signUp", { username: "rbob", password: "render-bob-password" });
  expect(await alice.signIn("ralice", "render-alice-password")).toBe(true);
  expect(await bob.signIn("rbob", "render-bob-password")).toBe(true);
  expect(await staff.signIn("rstaff", "render-staff-password")).toBe(true);
  aliceToken = (await alice.mutation<{ token: string }>("tokens.create", { name: "render tests" })).data!.token;
  await waitFor(async () => (await fetch(`${server.url}/render/health`)).status === 200, 30_000, 250);
});

// A failed test must not leave sessions that push the next ones over the quota.
afterEach(async () => {
  for (const client of [alice, bob, staff]) {
    const listed = await api<{ sessions: Array<{ session_id: string }> }>(client, "GET", "/render/api/sessions");
    for (const session of listed.body.sessions ?? []) await closeSession(client, session.session_id);
  }
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.stop();
  fixture?.close();
});

describe("render REST", () => {
  it("answers health and info to anyone, and JSON errors always", async () => {
    const health = await (await fetch(`${server.url}/render/health`)).json();
    expect(health).toMatchObject({ status: "healthy", active_sessions: 0, websocket: "enabled" });
    const info = await (await fetch(`${server.url}/render/api/info`)).json();
    expect(info).toMatchObject({ endpoints: { session_create: "/render/api/session/create" }, session_config: { timeout: 4 } });
    const anonymous = await fetch(`${server.url}/render/api/session/create`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const badJson = await alice.fetch("/render/api/session/create", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(badJson.status).toBe(400);
    const unknown = await fetch(`${server.url}/render/api/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await api(alice, "GET", "/render/api/session/AAAAAAAAAAAAAAAAAAAAAAAA/info")).status).toBe(404);
  });

  it("creates with an API token, loads a Canopy page, and streams binary and base64 frames", async () => {
    const tokenClient = new TestClient(server.url);
    tokenClient.bearer = aliceToken;
    const session = await createSession(tokenClient);
    expect(session.session_id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(session.created_at).toBeGreaterThan(1.7e9);
    const loaded = await api<{ success: boolean; page_info: { url: string; title: string } }>(tokenClient, "POST", `/render/api/session/${session.session_id}/load`, { url: "/c/nobody-live" });
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    expect(loaded.body.page_info.url).toBe(`${fixtureOrigin}/c/nobody-live`);

    const binary = watch(session.session_id, { binary: true, token: aliceToken });
    expect(await binary.subscribed).toMatchObject({ session_id: session.session_id, width: 640, height: 360, adaptive_mode: true });
    await waitFor(() => binary.frames.length > 0, 10_000, 50);
    const frame = binary.frames[0]!;
    expect(Buffer.isBuffer(frame.image)).toBe(true);
    expect((frame.image as Buffer).subarray(0, 2).toString("hex")).toBe("ffd8");
    expect(frame).toMatchObject({ width: 640, height: 360, size: (frame.image as Buffer).length });

    // A Jiomosa client (no token, base64) subscribes with the id and gets the cached last frame at once.
    const jiomosa = watch(session.session_id, { binary: false });
    await jiomosa.subscribed;
    await waitFor(() => jiomosa.frames.length > 0, 5000, 50);
    expect(typeof jiomosa.frames[0]!.image).toBe("string");
    expect(Buffer.from(jiomosa.frames[0]!.image as string, "base64").subarray(0, 2).toString("hex")).toBe("ffd8");

    const info = await api<SessionView>(tokenClient, "GET", `/render/api/session/${session.session_id}/info`);
    expect(info.body).toMatchObject({ session_id: session.session_id, page_info: { url: `${fixtureOrigin}/c/nobody-live` } });
    expect(typeof info.body.page_info.title).toBe("string");
    expect(info.body.last_activity).toBeGreaterThanOrEqual(info.body.created_at);
    const keepalive = await api(tokenClient, "POST", `/render/api/session/${session.session_id}/keepalive`);
    expect(keepalive.body).toMatchObject({ success: true, session_id: session.session_id });

    // Sessions are visible to their owner and staff only.
    expect((await api(bob, "GET", `/render/api/session/${session.session_id}/info`)).status).toBe(404);
    expect((await api(bob, "POST", `/render/api/session/${session.session_id}/close`)).status).toBe(404);
    expect((await api<{ active_sessions: number }>(bob, "GET", "/render/api/sessions")).body.active_sessions).toBe(0);
    expect((await api<{ active_sessions: number }>(alice, "GET", "/render/api/sessions")).body.active_sessions).toBe(1);
    expect((await api<{ active_sessions: number }>(staff, "GET", "/render/api/sessions")).body.active_sessions).toBe(1);

    const ended = new Promise((resolve) => binary.socket.once("session:ended", resolve));
    const closed = await api(tokenClient, "DELETE", `/render/api/session/${session.session_id}/close`);
    expect(closed.body).toMatchObject({ success: true });
    expect(await ended).toMatchObject({ session_id: session.session_id, reason: "closed" });
    binary.socket.close();
    jiomosa.socket.close();
  });

  it("validates socket payloads with error events", async () => {
    const socket = await connectNamespace(server.url, "/render");
    sockets.push(socket);
    const errors: Array<{ message: string }> = [];
    socket.on("error", (payload: { message: string }) => errors.push(payload));
    socket.emit("subscribe", { nope: 1 });
    socket.emit("subscribe", { session_id: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    socket.emit("input:click", { x: 1, y: 2 });
    socket.emit("quality:set", { quality: 500 });
    await waitFor(() => errors.length === 4, 3000, 20);
    const messages = errors.map((error) => error.message);
    for (const expected of [/^Invalid subscribe: session_id/, /not found/, /^Not subscribed to any session$/, /quality must be between 1 and 100/]) {
      expect(messages.some((text) => expected.test(text)), `${expected} in ${messages.join(" | ")}`).toBe(true);
    }
    socket.close();
  });
});

describe("frames", () => {
  it("a still page sends (almost) nothing while idle; an animated one streams", async () => {
    const session = await createSession(alice, { url: fixtureUrl("/a/fixture/still") });
    const viewer = watch(session.session_id);
    await viewer.subscribed;
    await waitFor(() => viewer.frames.length > 0, 10_000, 50);
    await sleep(1000);
    const before = viewer.frames.length;
    await sleep(3000);
    expect(viewer.frames.length - before).toBeLessThanOrEqual(2);

    await api(alice, "POST", `/render/api/session/${session.session_id}/load`, { url: fixtureUrl("/a/fixture/anim") });
    // A long-polling Jiomosa client (base64) keeps up as well.
    const polling = watch(session.session_id, { binary: false, polling: true });
    await polling.subscribed;
    await sleep(500);
    const start = viewer.frames.length;
    const pollingStart = polling.frames.length;
    await sleep(2000);
    expect((viewer.frames.length - start) / 2).toBeGreaterThan(5);
    expect((polling.frames.length - pollingStart) / 2).toBeGreaterThan(2);
    viewer.socket.close();
    polling.socket.close();
    await closeSession(alice, session.session_id);
  });

  it("a click changes the next frame", async () => {
    const session = await createSession(alice, { url: fixtureUrl("/a/fixture/click"), quality: 50 });
    const viewer = watch(session.session_id);
    await viewer.subscribed;
    await waitFor(() => viewer.frames.length > 0, 10_000, 50);
    await sleep(500);
    const before = viewer.frames.at(-1)!;
    const count = viewer.frames.length;
    const acknowledged = new Promise((resolve) => viewer.socket.once("input:acknowledged", resolve));
    viewer.socket.emit("input:click", { x: 320, y: 200 });
    expect(await acknowledged).toMatchObject({ type: "click", x: 320, y: 200 });
    await waitFor(() => viewer.frames.length > count, 5000, 20);
    const after = viewer.frames[count]!;
    expect(Buffer.compare(after.image as Buffer, before.image as Buffer)).not.toBe(0);
    // White page → black page: the JPEG of a black page is much smaller.
    expect(after.size).not.toBe(before.size);
    viewer.socket.close();
    await closeSession(alice, session.session_id);
  });

  it("adaptive mode turned on over the socket adapts the session to its viewer's bandwidth", async () => {
    // Off from the start, so nothing adapts before the toggle; 60 / 15 is no tier, so any tier changes it.
    const session = await createSession(alice, { url: fixtureUrl("/a/fixture/anim"), quality: 60, fps: 15, adaptive: false });
    const viewer = watch(session.session_id);
    expect(await viewer.subscribed).toMatchObject({ adaptive_mode: false, quality: 60, fps: 15 });
    expect(await viewer.socket.timeout(5000).emitWithAck("adaptive:toggle", { enabled: true })).toEqual({ data: { enabled: true } });
    const adapted = () => viewer.events.some(({ event, payload }) => (event === "quality:updated" || event === "fps:updated") && (payload as { adaptive?: boolean }).adaptive === true);
    await waitFor(adapted, 20_000, 100);
    const info = await api<{ quality: number; fps: number; adaptive_mode: boolean }>(alice, "GET", `/render/api/session/${session.session_id}/info`);
    expect(info.body.adaptive_mode).toBe(true);
    expect([{ quality: 90, fps: 30 }, { quality: 75, fps: 20 }, { quality: 50, fps: 10 }]).toContainEqual({ quality: info.body.quality, fps: info.body.fps });
    viewer.socket.close();
    await closeSession(alice, session.session_id);
  });
});

describe("URL policy", () => {
  it("refuses loopback, private, metadata, non-http(s) and non-page Canopy URLs, and redirects to private addresses", async () => {
    const session = await createSession(alice);
    const load = (url: string) => api<{ error: { code: string; message: string } }>(alice, "POST", `/render/api/session/${session.session_id}/load`, { url });
    for (const url of [
      "http://127.0.0.1/",
      "http://127.0.0.1:22/",
      `http://127.0.0.1:${server.port}/api/trpc/users.list`,
      "http://10.0.0.1/",
      "http://10.255.1.2:8080/admin",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://evil.example/",
      "/api/external",
      fixtureUrl("/a/fixture/redirect-private"),
      fixtureUrl("/a/fixture/redirect-metadata"),
      fixtureUrl("/a/fixture/redirect-loopback"),
      "http://render-test.localhost/",
    ]) {
      const refused = await load(url);
      expect(refused.status, url).toBe(403);
      expect(refused.body.error.message, url).toMatch(/Refused/);
    }
    // The session survives refusals and still loads allowed pages.
    expect((await load(fixtureUrl("/a/fixture/still"))).status).toBe(200);
    // A first page that is refused means no session at all.
    const refusedCreate = await api(alice, "POST", "/render/api/session/create", { url: "http://169.254.169.254/" });
    expect(refusedCreate.status).toBe(403);
    await closeSession(alice, session.session_id);
  });
});

describe("limits", () => {
  it("enforces the per-user quota and answers a full farm with a clear error", async () => {
    const first = await createSession(alice);
    const second = await createSession(alice);
    const overQuota = await api<{ error: { message: string } }>(alice, "POST", "/render/api/session/create", {});
    expect(overQuota.status).toBe(429);
    expect(overQuota.body.error.message).toMatch(/close one first/);
    const third = await createSession(bob);
    const full = await api<{ error: { code: string; message: string } }>(bob, "POST", "/render/api/session/create", {});
    expect(full.status).toBe(503);
    expect(full.body.error).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/full/) });
    for (const [client, session] of [[alice, first], [alice, second], [bob, third]] as const) await closeSession(client, session.session_id);
  });

  it("closes a session after the timeout with no keepalive and no subscriber", async () => {
    const session = await createSession(alice);
    const watched = await createSession(alice);
    const viewer = watch(watched.session_id);
    await viewer.subscribed;
    await sleep(2500);
    await api(alice, "POST", `/render/api/session/${session.session_id}/keepalive`);
    await sleep(2500);
    // Kept alive 2.5 s ago: still there.
    expect((await api(alice, "GET", `/render/api/session/${session.session_id}/info`)).status).toBe(200);
    await waitFor(async () => (await api(alice, "GET", `/render/api/session/${session.session_id}/info`)).status === 404, 10_000, 500);
    // The watched one outlived the timeout.
    expect((await api(alice, "GET", `/render/api/session/${watched.session_id}/info`)).status).toBe(200);
    viewer.socket.close();
    await closeSession(alice, watched.session_id);
  });

  it("reports sessions failed when Chromium dies, and restarts it", async () => {
    const session = await createSession(alice, { url: fixtureUrl("/a/fixture/still") });
    const viewer = watch(session.session_id);
    await viewer.subscribed;
    const ended = new Promise<{ reason: string }>((resolve) => viewer.socket.once("session:ended", resolve));
    const workerPid = childPids(server.process.pid!).find((pid) => /worker\/index\.ts/.test(commandOf(pid)));
    expect(workerPid).toBeDefined();
    const chromiumPid = childPids(workerPid!).find((pid) => /chromium/.test(commandOf(pid)));
    expect(chromiumPid).toBeDefined();
    process.kill(chromiumPid!, "SIGKILL");
    expect((await ended).reason).toBe("crashed");
    expect((await api(alice, "GET", `/render/api/session/${session.session_id}/info`)).status).toBe(404);
    let again: { status: number; body: SessionView } = { status: 0, body: {} as SessionView };
    await waitFor(async () => (again = await api<SessionView>(alice, "POST", "/render/api/session/create", {})).status === 201, 20_000, 500);
    await closeSession(alice, again.body.session_id);
    viewer.socket.close();
  });
});

describe("pairing and the allow list", () => {
  it("pairs a thin device: code on the device, approval on a signed-in phone, an API token once", async () => {
    const device = new TestClient(server.url);
    const started = await api<{ code: string; pairing_id: string }>(device, "POST", "/render/api/pair/start");
    expect(started.body.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect((await api(device, "POST", "/render/api/pair/poll", { pairing_id: started.body.pairing_id })).body).toMatchObject({ status: "pending" });
    expect((await new TestClient(server.url).mutation("render.pairApprove", { code: started.body.code })).status).toBe(401);
    expect((await bob.mutation("render.pairApprove", { code: "ZZZZ-ZZZZ" })).status).toBe(404);
    expect((await bob.mutation("render.pairApprove", { code: started.body.code })).data).toEqual({ code: started.body.code });
    const approved = await api<{ status: string; token: string; username: string }>(device, "POST", "/render/api/pair/poll", { pairing_id: started.body.pairing_id });
    expect(approved.body).toMatchObject({ status: "approved", username: "rbob" });
    expect((await api(device, "POST", "/render/api/pair/poll", { pairing_id: started.body.pairing_id })).status).toBe(404);
    device.bearer = approved.body.token;
    const session = await createSession(device);
    await closeSession(device, session.session_id);
  });

  it("lets staff, and only staff, manage the allow list", async () => {
    expect((await alice.mutation("render.allowHost", { host: "example.org" })).status).toBe(403);
    expect((await staff.mutation("render.allowHost", { host: "10.0.0.1" })).status).toBe(400);
    expect((await staff.mutation("render.allowHost", { host: "*.Example.org" })).data).toEqual({ host: "*.example.org" });
    const list = await staff.query<{ environment: string[]; managed: Array<{ host: string; addedBy: string }> }>("render.allowedHosts");
    expect(list.data).toMatchObject({ environment: ["render-test.localhost"], managed: [{ host: "*.example.org", addedBy: "rstaff" }] });
    expect((await staff.mutation("render.disallowHost", { host: "*.example.org" })).data).toEqual({ host: "*.example.org" });
  });
});

function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => Number(line.trim()))
      .filter(Boolean);
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  try {
    return execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" });
  } catch {
    return "";
  }
}
