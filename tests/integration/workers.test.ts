// Scale-out workers: two server nodes (PostgreSQL + Redis, no supervised worker) and two
// standalone workers started as `npm run worker` starts them, each connected to one node. Apps go
// to the least loaded worker; when the worker running an app is SIGKILLed the app moves to the
// other worker (its lease runs out, one node wins the fenced move); commands under an old fence
// are refused; a render session on a killed worker ends failed and a new one can be created.
import crypto from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { connectBus } from "../../worker/bus-client";
import { startTwoNodes, unreachableClusterServices, type TwoNodes } from "../helpers/cluster-services";
import { waitFor, type RunningServer } from "../helpers/server";
import { startStandaloneWorker, type StandaloneWorker } from "../helpers/standalone-worker";
import { TestClient } from "../helpers/http-client";

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

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

async function startWorker(workerId: string, node: RunningServer): Promise<void> {
  workers.set(workerId, await startStandaloneWorker({ workerId, serverUrl: node.url, internalSecret, env: { RENDER_ENABLED: hasChromium ? "true" : "false", CHROMIUM_PATH: chromiumPath } }));
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

describe.skipIf(missing.length > 0)("two nodes and two standalone workers", () => {
  beforeAll(async () => {
    cluster = await startTwoNodes({
      name: "workers",
      internalSecret,
      env: { APPS_LEASE_SECONDS: "3", CANOPY_ADMIN_USERNAME: "wstaff", CANOPY_ADMIN_PASSWORD: "workers-staff-password" },
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
    for (const workerId of workers.keys()) await killWorker(workerId);
    await cluster?.stop();
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
    const viewer = io(`${nodes[0]!.url}/render`, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie: alice.cookieHeader() } });
    try {
      const ended = new Promise<{ reason: string }>((resolve) => viewer.once("session:ended", resolve));
      await new Promise<void>((resolve) => {
        viewer.once("subscribed", () => resolve());
        viewer.on("connect", () => viewer.emit("subscribe", { session_id: created.body.session_id, binary: true }));
      });
      // Whichever worker hosts it: every running one is killed.
      for (const workerId of workers.keys()) await killWorker(workerId);
      expect((await ended).reason).toBe("failed");
    } finally {
      viewer.close();
    }
    await startWorker("w3", nodes[1]!);
    await waitFor(async () => (await create()).status === 201, 60_000, 500);
  });
});
