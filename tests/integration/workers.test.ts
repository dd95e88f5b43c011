// Scale-out workers: two server nodes (PostgreSQL + Redis, no supervised worker) and two
// standalone workers started as `npm run worker` starts them, each connected to one node. Apps go
// to the least loaded worker; when the worker running an app is SIGKILLed the app moves to the
// other worker (its lease runs out, one node wins the fenced move); commands under an old fence
// are refused; a render session on a killed worker ends failed and a new one can be created.
// Render sessions and pairings are shared: a session created through one node is watched and
// driven through the other, whichever node its worker is connected to; when a node dies, a
// worker that knows both nodes moves to the other and its session keeps streaming, while the
// session of a worker that knows only the dead node ends failed on the surviving node.
import crypto from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { connectNamespace } from "../helpers/connect-namespace";
import { connectBus } from "../../worker/bus-client";
import { startTwoNodes, unreachableClusterServices, type TwoNodes } from "../helpers/cluster-services";
import { waitFor, type RunningServer } from "../helpers/server";
import { startStandaloneWorker, type StandaloneWorker } from "../helpers/standalone-worker";
import { TestClient } from "../helpers/http-client";
import { animatedPage, clickPage, startPageFixture, type PageFixture } from "../helpers/render-pages";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = fs.existsSync(chromiumPath);

const missing = await unreachableClusterServices();
if (missing.length) console.warn(`worker scale-out tests skipped: ${missing.join(" and ")} not reachable`);
if (!hasChromium) console.warn(`render failover test skipped: no Chromium at ${chromiumPath}`);

const internalSecret = crypto.randomBytes(32).toString("hex");
let cluster: TwoNodes;
let databaseUrl: URL;
const nodes: RunningServer[] = [];
const workers = new Map<string, StandaloneWorker>();
let staff: TestClient;
let pages: PageFixture;

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

async function startWorker(workerId: string, node: RunningServer, env: Record<string, string> = {}): Promise<void> {
  workers.set(
    workerId,
    await startStandaloneWorker({
      workerId,
      serverUrl: node.url,
      internalSecret,
      env: { RENDER_ENABLED: hasChromium ? "true" : "false", CHROMIUM_PATH: chromiumPath, CANOPY_PUBLIC_URL: pages.origin, ...env },
    }),
  );
}

const killWorker = (workerId: string) => workers.get(workerId)!.kill();

const placementOf = async (appId: string) =>
  (await query<{ workerId: string; fence: number }>(databaseUrl.toString(), `SELECT "workerId", fence FROM "AppPlacement" WHERE "appId" = $1 AND target = 'live'`, [appId]))[0];

const pingApp = {
  actions: [
    {
      name: "set_js_app",
      args: {
        bundle: {
          metadata: { endpoints: { "/ping": { get: { js_module: "ping.js", js_function: "ping" } } } },
          modules: [{ name: "ping.js", module: "export function ping() { return { body: { pong: true } }; }" }],
        },
      },
    },
  ],
};

async function deploy(appId: string): Promise<number> {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(pingApp) });
  return response.status;
}

const answers = async (node: RunningServer, appId: string) => (await fetch(`${node.url}/apps/${appId}/api/ping`)).status === 200;

type Frame = { image: Buffer; size: number; seq: number };
const sockets: Socket[] = [];

async function renderApi<T = Record<string, unknown>>(client: TestClient, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await client.fetch(path, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

async function member(node: RunningServer, username: string): Promise<TestClient> {
  const client = new TestClient(node.url);
  await client.mutation("account.signUp", { username, password: `${username}-password-123` });
  expect(await client.signIn(username, `${username}-password-123`)).toBe(true);
  return client;
}

/** A render viewer on `node`, signed in as `client` (or anonymous), with the frames it got. */
async function renderSocket(node: RunningServer, client?: TestClient) {
  const socket = await connectNamespace(node.url, "/render", client?.cookieHeader());
  sockets.push(socket);
  const frames: Frame[] = [];
  socket.on("frame", (frame: Frame) => frames.push(frame));
  /** Emits with an ack and answers the ack's `{data}` or `{error}`. */
  const ask = async (event: string, payload: unknown) =>
    (await socket.timeout(15_000).emitWithAck(event, payload)) as { data?: Record<string, unknown>; error?: { code: string; message: string } };
  return { socket, frames, ask };
}

/** Subscribes and waits for the first frame (the worker sends the current one to a node whose first viewer arrives). */
async function watchOn(node: RunningServer, client: TestClient, sessionId: string) {
  const viewer = await renderSocket(node, client);
  expect(await viewer.ask("subscribe", { session_id: sessionId, binary: true })).toMatchObject({ data: { session_id: sessionId } });
  await waitFor(() => viewer.frames.length > 0, 20_000, 50);
  return viewer;
}

/** Clicks through `viewer` and waits for the frame that shows it: the click page turns from white to black or back. */
async function clickAndSee(viewer: Awaited<ReturnType<typeof renderSocket>>, client: TestClient, sessionId: string): Promise<void> {
  const before = viewer.frames.at(-1)!;
  const count = viewer.frames.length;
  expect(await viewer.ask("input:click", { x: 100, y: 100 })).toEqual({ data: { type: "click" } });
  await waitFor(() => viewer.frames.slice(count).some((frame) => Buffer.compare(frame.image, before.image) !== 0), 15_000, 50).catch(async (error: unknown) => {
    // Tells a lost click from a lost frame: the page's title counts its clicks.
    const info = await renderApi<{ page_info: { title: string } }>(client, "GET", `/render/api/session/${sessionId}/info`);
    throw new Error(`no new frame after the click (frames ${JSON.stringify(viewer.frames.map((frame) => frame.seq))}, page title "${info.body.page_info?.title}"): ${String(error)}`);
  });
}

const workerOfSession = async (sessionId: string) =>
  (await query<{ workerId: string }>(databaseUrl.toString(), `SELECT "workerId" FROM "RenderSession" WHERE id = $1`, [sessionId]))[0]?.workerId;

describe.skipIf(missing.length > 0)("two nodes and two standalone workers", () => {
  beforeAll(async () => {
    // The nodes' public origin, so the workers may load its pages.
    pages = await startPageFixture({ "/a/click": clickPage, "/a/anim": animatedPage });
    cluster = await startTwoNodes({
      name: "workers",
      internalSecret,
      env: {
        APPS_LEASE_SECONDS: "3",
        CANOPY_ADMIN_USERNAME: "wstaff",
        CANOPY_ADMIN_PASSWORD: "workers-staff-password",
        CANOPY_PUBLIC_URL: pages.origin,
        RENDER_SESSIONS_PER_USER: "2",
      },
    });
    nodes.push(...cluster.nodes);
    databaseUrl = cluster.databaseUrl;
    await startWorker("w1", nodes[0]!);
    await startWorker("w2", nodes[1]!);
    staff = new TestClient(nodes[0]!.url);
    expect(await staff.signIn("wstaff", "workers-staff-password")).toBe(true);
    for (const id of ["first-app", "second-app"]) expect((await staff.mutation("apps.create", { id, name: id })).error).toBeUndefined();
    // Both workers are alive for node A (w2 heartbeats to node B: the registry is shared).
    await waitFor(async () => {
      const alive = (await staff.query<{ workerId: string; status: string }[]>("status.workers")).data?.filter((worker) => worker.status === "alive").map((worker) => worker.workerId);
      return Boolean(alive?.includes("w1") && alive.includes("w2"));
    }, 90_000, 250);
  }, 180_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const workerId of workers.keys()) await killWorker(workerId);
    await cluster?.stop();
    pages?.close();
  });

  it("places apps on the less loaded worker", async () => {
    await waitFor(async () => (await deploy("first-app")) === 200, 60_000, 250);
    const first = await placementOf("first-app");
    expect(["w1", "w2"]).toContain(first?.workerId);
    expect(await deploy("second-app")).toBe(200);
    const second = await placementOf("second-app");
    expect(second?.workerId).not.toBe(first!.workerId);
    // Either node routes to either worker.
    for (const node of nodes) {
      expect(await answers(node, "first-app")).toBe(true);
      expect(await answers(node, "second-app")).toBe(true);
    }
  });

  it("deploy progress reaches the node that deploys, whichever node the app's worker is connected to", async () => {
    // The two apps run on different workers, one connected to each node; both are deployed through node A.
    const socket = await connectNamespace(nodes[0]!.url, "/apps", staff.cookieHeader());
    sockets.push(socket);
    const steps = new Map<string, string[]>();
    socket.on("proposal:progress", (event: { appId: string; step: string }) => steps.set(event.appId, [...(steps.get(event.appId) ?? []), event.step]));
    expect(await deploy("first-app")).toBe(200);
    expect(await deploy("second-app")).toBe(200);
    await waitFor(async () => ["first-app", "second-app"].every((appId) => steps.get(appId)?.includes("switched")), 10_000, 50);
    for (const appId of ["first-app", "second-app"]) expect(steps.get(appId)).toEqual(expect.arrayContaining(["validating", "compiling", "starting", "health-check", "switched"]));
  });

  it("a worker refuses commands under an older fence than it has seen", async () => {
    const placement = (await placementOf("first-app"))!;
    // Redeploying bumps the fence on the same worker.
    expect(await deploy("first-app")).toBe(200);
    const current = (await placementOf("first-app"))!;
    expect(current.workerId).toBe(placement.workerId);
    expect(current.fence).toBeGreaterThan(placement.fence);
    const { socket, bus } = connectBus({ serverUrl: nodes[1]!.url, secret: internalSecret, label: "fence-test", reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      const request = { appId: "first-app", target: "live" as const, method: "GET", endpoint: "/ping", path: "/ping", url: "/ping", params: {}, query: "", headers: {}, body: new Uint8Array(), caller: null };
      await expect(bus.ask(`worker:${current.workerId}`, "appRequest", { ...request, fence: placement.fence })).rejects.toThrow(/stale placement fence/i);
      await expect(bus.ask(`worker:${current.workerId}`, "appStop", { appId: "first-app", target: "live", fence: placement.fence })).rejects.toThrow(/stale placement fence/i);
      const fresh = await bus.ask(`worker:${current.workerId}`, "appRequest", { ...request, fence: current.fence });
      expect(fresh.status).toBe(200);
    } finally {
      socket.close();
    }
    expect(await answers(nodes[0]!, "first-app")).toBe(true);
  });

  it("leases are renewed by heartbeats: a healthy worker keeps its apps", async () => {
    const before = (await placementOf("first-app"))!;
    // Two lease periods (3 s each) with no renewal would have moved it.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    expect(await placementOf("first-app")).toEqual(before);
    const [lease] = await query<{ leaseExpiresAt: Date }>(databaseUrl.toString(), `SELECT "leaseExpiresAt" FROM "AppPlacement" WHERE "appId" = 'first-app' AND target = 'live'`);
    expect(lease!.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it.skipIf(!hasChromium)("render sessions are placed across both workers and are watched and driven through either node", async () => {
    const alice = await member(nodes[0]!, "walice2");
    // Through node A, two sessions: the least loaded worker cluster-wide takes each, so one lands on
    // the worker connected to node A and the other on the one connected to node B.
    const created: string[] = [];
    for (let i = 0; i < 2; i++) {
      let response = await renderApi<{ session_id: string }>(alice, "POST", "/render/api/session/create", { width: 320, height: 240, url: pages.url("/a/click") });
      // The first one may wait for Chromium to start on a worker.
      await waitFor(async () => response.status === 201 || ((response = await renderApi(alice, "POST", "/render/api/session/create", { width: 320, height: 240, url: pages.url("/a/click") })), response.status === 201), 60_000, 500);
      created.push(response.body.session_id);
    }
    expect(new Set(await Promise.all(created.map(workerOfSession)))).toEqual(new Set(["w1", "w2"]));
    // The quota counts sessions made through any node.
    const third = await renderApi<{ error: { code: string; message: string } }>(new TestClient(nodes[1]!.url), "POST", "/render/api/session/create", {});
    expect(third.status).toBe(401);
    const aliceOnB = new TestClient(nodes[1]!.url);
    expect(await aliceOnB.signIn("walice2", "walice2-password-123")).toBe(true);
    const refused = await renderApi<{ error: { code: string; message: string } }>(aliceOnB, "POST", "/render/api/session/create", { width: 320, height: 240 });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/already have 2 render sessions/);

    for (const sessionId of created) {
      // Viewers on both nodes get the session's frames; input from node B reaches it.
      const onB = await watchOn(nodes[1]!, aliceOnB, sessionId);
      const onA = await watchOn(nodes[0]!, alice, sessionId);
      await clickAndSee(onB, aliceOnB, sessionId);
      const seenOnA = onA.frames.length;
      await clickAndSee(onB, aliceOnB, sessionId);
      // Node A relays the same frame a moment later than node B shows it.
      await waitFor(() => onA.frames.length > seenOnA, 10_000, 50);
      // REST through node B knows it, and a setting changed there reaches the viewer on node A.
      const info = await renderApi<{ session_id: string; page_info: { url: string } }>(aliceOnB, "GET", `/render/api/session/${sessionId}/info`);
      expect(info.status).toBe(200);
      expect(info.body.page_info.url).toBe(pages.url("/a/click"));
      const qualityOnA = new Promise((resolve) => onA.socket.once("quality:updated", resolve));
      expect(await onB.ask("quality:set", { quality: 40 })).toEqual({ data: { quality: 40 } });
      expect(await qualityOnA).toMatchObject({ quality: 40 });
      // Closed through node A: the viewer on node B is told, and node B forgets the session.
      const ended = new Promise<{ reason: string }>((resolve) => onB.socket.once("session:ended", resolve));
      expect((await renderApi(alice, "POST", `/render/api/session/${sessionId}/close`)).status).toBe(200);
      expect((await ended).reason).toBe("closed");
      expect((await onB.ask("input:click", { x: 1, y: 1 })).error).toMatchObject({ code: "BAD_REQUEST", message: "Not subscribed to any session" });
      expect((await renderApi(aliceOnB, "GET", `/render/api/session/${sessionId}/info`)).status).toBe(404);
      onA.socket.close();
      onB.socket.close();
    }
    const listed = await renderApi<{ active_sessions: number }>(aliceOnB, "GET", "/render/api/sessions");
    expect(listed.body.active_sessions).toBe(0);
  });

  it.skipIf(!hasChromium)("bad render input through the other node gets clear errors and changes nothing", async () => {
    const carol = await member(nodes[0]!, "wcarol");
    const dave = await member(nodes[1]!, "wdave");
    let created = await renderApi<{ session_id: string }>(carol, "POST", "/render/api/session/create", { width: 320, height: 240, url: pages.url("/a/click") });
    await waitFor(async () => created.status === 201 || ((created = await renderApi(carol, "POST", "/render/api/session/create", { width: 320, height: 240, url: pages.url("/a/click") })), created.status === 201), 60_000, 500);
    const sessionId = created.body.session_id;
    // Someone else's session, through node B: as if it did not exist.
    for (const [method, path] of [["GET", "info"], ["POST", "keepalive"], ["POST", "close"], ["POST", "input/click"]] as const) {
      const response = await renderApi<{ error: { code: string } }>(dave, method, `/render/api/session/${sessionId}/${path}`, method === "POST" ? { x: 1, y: 1 } : undefined);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error.code).toBe("NOT_FOUND");
    }
    expect((await renderApi(new TestClient(nodes[1]!.url), "GET", `/render/api/session/${sessionId}/info`)).status).toBe(401);
    const onB = await renderSocket(nodes[1]!, dave);
    expect((await onB.ask("input:click", { x: 1, y: 2 })).error).toMatchObject({ code: "BAD_REQUEST", message: "Not subscribed to any session" });
    expect((await onB.ask("subscribe", { session_id: "A".repeat(32) })).error).toMatchObject({ code: "NOT_FOUND" });
    expect((await onB.ask("subscribe", { nope: 1 })).error?.message).toMatch(/^Invalid subscribe: session_id/);
    // The id is the capability (a share link): a viewer on node B may watch, but not send nonsense.
    expect((await onB.ask("subscribe", { session_id: sessionId, binary: true })).data).toMatchObject({ session_id: sessionId });
    expect((await onB.ask("input:click", { x: "left", y: 2 })).error?.message).toMatch(/^Invalid input:click: x/);
    expect((await onB.ask("input:key", { key: "NoSuchKey" })).error).toMatchObject({ code: "BAD_REQUEST", message: "Unknown key NoSuchKey" });
    expect((await onB.ask("quality:set", { quality: 500 })).error?.message).toMatch(/quality must be between 1 and 100/);
    expect((await onB.ask("fps:set", { fps: 0 })).error?.message).toMatch(/fps must be between 1 and 60/);
    const info = await renderApi<{ quality: number; fps: number }>(carol, "GET", `/render/api/session/${sessionId}/info`);
    expect(info.body).toMatchObject({ quality: 75, fps: 25 });
    expect((await renderApi(carol, "POST", `/render/api/session/${sessionId}/close`)).status).toBe(200);
    onB.socket.close();
  });

  it.skipIf(!hasChromium)("adaptive mode turned on through node A adapts the session for its only viewer, on node B", async () => {
    const grace = await member(nodes[0]!, "wgrace");
    // Off from the start, so nothing adapts before the toggle; 60 / 15 is no tier, so any tier changes it.
    const create = () => renderApi<{ session_id: string }>(grace, "POST", "/render/api/session/create", { width: 320, height: 240, url: pages.url("/a/anim"), quality: 60, fps: 15, adaptive: false });
    let created = await create();
    await waitFor(async () => created.status === 201 || ((created = await create()), created.status === 201), 60_000, 500);
    const sessionId = created.body.session_id;
    const onB = await watchOn(nodes[1]!, grace, sessionId);
    const adapted: unknown[] = [];
    for (const event of ["quality:updated", "fps:updated"]) onB.socket.on(event, (payload: { adaptive?: boolean }) => payload.adaptive && adapted.push(payload));
    const toggler = await renderSocket(nodes[0]!, grace);
    expect((await toggler.ask("subscribe", { session_id: sessionId, binary: true })).data).toMatchObject({ adaptive_mode: false });
    expect(await toggler.ask("adaptive:toggle", { enabled: true })).toEqual({ data: { enabled: true } });
    // Node A keeps no viewer: only node B, told of the toggle by node A, can adapt the session now.
    expect(await toggler.ask("unsubscribe", {})).toEqual({ data: { session_id: sessionId } });
    toggler.socket.close();
    await waitFor(() => adapted.length > 0, 30_000, 100);
    expect((await renderApi(grace, "POST", `/render/api/session/${sessionId}/close`)).status).toBe(200);
    onB.socket.close();
  });

  it("pairs a thin device across nodes: code from node A, approval and the token through node B, once", async () => {
    const device = new TestClient(nodes[0]!.url);
    const started = await renderApi<{ code: string; pairing_id: string }>(device, "POST", "/render/api/pair/start");
    expect(started.body.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // Neither the code nor the device's secret is stored as it is.
    const rows = await query<Record<string, unknown>>(databaseUrl.toString(), `SELECT * FROM "RenderPairing"`);
    expect(JSON.stringify(rows)).not.toContain(started.body.pairing_id);
    expect(JSON.stringify(rows)).not.toContain(started.body.code.replace("-", ""));
    const deviceOnB = new TestClient(nodes[1]!.url);
    expect((await renderApi(deviceOnB, "POST", "/render/api/pair/poll", { pairing_id: started.body.pairing_id })).body).toMatchObject({ status: "pending" });
    const erin = await member(nodes[1]!, "werin");
    expect((await new TestClient(nodes[1]!.url).mutation("render.pairApprove", { code: started.body.code })).status).toBe(401);
    const wrong = await erin.mutation("render.pairApprove", { code: "ZZZZ-ZZZZ" });
    expect(wrong.status).toBe(404);
    expect(wrong.error?.message).toMatch(/No device is waiting with that code/);
    expect((await erin.mutation("render.pairApprove", { code: started.body.code.toLowerCase() })).data).toEqual({ code: started.body.code });
    expect((await erin.mutation("render.pairApprove", { code: started.body.code })).status).toBe(404);
    const approved = await renderApi<{ status: string; token: string; username: string }>(deviceOnB, "POST", "/render/api/pair/poll", { pairing_id: started.body.pairing_id });
    expect(approved.body).toMatchObject({ status: "approved", username: "werin" });
    const again = await renderApi<{ error: { message: string } }>(device, "POST", "/render/api/pair/poll", { pairing_id: started.body.pairing_id });
    expect(again.status).toBe(404);
    expect(again.body.error.message).toMatch(/expired or was used/);
    // The token works on either node.
    device.bearer = approved.body.token;
    expect((await renderApi(device, "GET", "/render/api/sessions")).status).toBe(200);
    const malformed = await renderApi<{ error: { code: string } }>(device, "POST", "/render/api/pair/poll", { pairing_id: "x" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("BAD_REQUEST");
    const unknown = await renderApi<{ error: { code: string } }>(deviceOnB, "POST", "/render/api/pair/poll", { pairing_id: "y".repeat(32) });
    expect(unknown.status).toBe(404);
  });

  it("an app keeps answering after the worker running it is SIGKILLed: it moves to the other worker", async () => {
    const before = (await placementOf("first-app"))!;
    const survivor = before.workerId === "w1" ? "w2" : "w1";
    await killWorker(before.workerId);
    // The bound: answering again, from the other worker, within 10 s (lease 3 s here).
    await waitFor(async () => (await answers(nodes[0]!, "first-app")) && (await answers(nodes[1]!, "first-app")), 10_000, 200);
    const after = (await placementOf("first-app"))!;
    expect(after.workerId).toBe(survivor);
    expect(after.fence).toBeGreaterThan(before.fence);
    // The other app (if it was on the killed worker too) ends up on the survivor as well.
    await waitFor(async () => answers(nodes[1]!, "second-app"), 10_000, 200);
    expect((await placementOf("second-app"))?.workerId).toBe(survivor);
  });

  it.skipIf(!hasChromium)("a render session on a killed worker is reported failed and can be recreated", async () => {
    const alice = new TestClient(nodes[0]!.url);
    await alice.mutation("account.signUp", { username: "walice", password: "workers-alice-password" });
    expect(await alice.signIn("walice", "workers-alice-password")).toBe(true);
    const create = async () => {
      const response = await alice.fetch("/render/api/session/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ width: 320, height: 240 }) });
      return { status: response.status, body: (await response.json()) as { session_id: string } };
    };
    let created = await create();
    await waitFor(async () => created.status === 201 || ((created = await create()), created.status === 201), 60_000, 500);
    // A viewer on each node: every node reports the end.
    const viewers = await Promise.all(nodes.map((node) => renderSocket(node, alice)));
    const ended = viewers.map((viewer) => new Promise<{ reason: string }>((resolve) => viewer.socket.once("session:ended", resolve)));
    for (const viewer of viewers) expect((await viewer.ask("subscribe", { session_id: created.body.session_id, binary: true })).data).toMatchObject({ session_id: created.body.session_id });
    // Whichever worker hosts it: every running one is killed.
    for (const workerId of workers.keys()) await killWorker(workerId);
    for (const end of ended) expect((await end).reason).toBe("failed");
    for (const viewer of viewers) viewer.socket.close();
    await startWorker("w3", nodes[1]!);
    await waitFor(async () => (await create()).status === 201, 60_000, 500);
  });

  it.skipIf(!hasChromium)("when a node dies, a worker that knows both nodes moves to the other and carries on; one that knows only the dead node is failed over", async () => {
    // Only these two render now (the others were killed above); both start on node A.
    await killWorker("w3");
    await startWorker("w4", nodes[0]!, { CANOPY_SERVER_URLS: `${nodes[0]!.url},${nodes[1]!.url}` });
    await startWorker("w5", nodes[0]!);
    const frank = await member(nodes[1]!, "wfrank");
    const create = () => renderApi<{ session_id: string }>(frank, "POST", "/render/api/session/create", { width: 320, height: 240, url: pages.url("/a/click") });
    const sessionOf = new Map<string, string>();
    for (let i = 0; i < 2; i++) {
      let created = await create();
      await waitFor(async () => created.status === 201 || ((created = await create()), created.status === 201), 60_000, 500);
      sessionOf.set((await workerOfSession(created.body.session_id))!, created.body.session_id);
    }
    // Least loaded first: one session on each.
    expect([...sessionOf.keys()].sort()).toEqual(["w4", "w5"]);
    const moving = await watchOn(nodes[1]!, frank, sessionOf.get("w4")!);
    const stranded = await watchOn(nodes[1]!, frank, sessionOf.get("w5")!);
    const endedMoving: unknown[] = [];
    moving.socket.on("session:ended", (payload) => endedMoving.push(payload));
    const endedStranded = new Promise<{ reason: string; session_id: string }>((resolve) => stranded.socket.once("session:ended", resolve));
    await waitFor(async () => answers(nodes[1]!, "first-app"), 30_000, 250);

    await nodes[0]!.stop("SIGKILL");
    await waitFor(() => workers.get("w4")!.logs.join("").includes(`"message":"connected to server","workerId":"w4","serverUrl":"${nodes[1]!.url}"`), 30_000, 100);
    // w4's session lives on: frames still come and input from node B still reaches it.
    await clickAndSee(moving, frank, sessionOf.get("w4")!);
    expect((await renderApi(frank, "GET", `/render/api/session/${sessionOf.get("w4")!}/info`)).status).toBe(200);
    // w5 keeps knocking at the dead node: node B notices its silence and fails its session.
    expect(await endedStranded).toMatchObject({ session_id: sessionOf.get("w5"), reason: "failed" });
    expect((await renderApi(frank, "GET", `/render/api/session/${sessionOf.get("w5")!}/info`)).status).toBe(404);
    expect(endedMoving).toEqual([]);
    // The apps answer through node B (from w4, where they were or where they moved).
    await waitFor(async () => (await answers(nodes[1]!, "first-app")) && (await answers(nodes[1]!, "second-app")), 20_000, 250);
    // A new session goes to the worker that is alive.
    const replacement = await create();
    expect(replacement.status).toBe(201);
    expect(await workerOfSession(replacement.body.session_id)).toBe("w4");
  });
});
