// npm run bench:failover — how long an app is unavailable when the worker running it is
// SIGKILLed: two nodes on PostgreSQL + Redis, two standalone workers; each round deploys nothing
// new, kills the app's worker, polls both nodes every 100 ms until both answer from the other
// worker, then starts a replacement worker. Prints JSON (per-round ms, median) and saves it to
// bench/workers/results/<date>.json.
//
//   npm run bench:failover -- [--rounds 5] [--lease-seconds 6]
//
// Heartbeats every second (workers) and the default lease of 6 s unless given: the time is about
// the lease plus a second of grace plus the sweep and the restart.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { startTwoNodes, unreachableClusterServices } from "../../tests/helpers/cluster-services";
import { startStandaloneWorker, type StandaloneWorker } from "../../tests/helpers/standalone-worker";
import { TestClient } from "../../tests/helpers/http-client";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" }, "lease-seconds": { type: "string", default: "6" } } });
const rounds = Number(values.rounds);
const leaseSeconds = values["lease-seconds"]!;

const missing = await unreachableClusterServices();
if (missing.length) {
  process.stderr.write(`bench:failover needs ${missing.join(" and ")}\n`);
  process.exit(1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const internalSecret = crypto.randomBytes(32).toString("hex");
const cluster = await startTwoNodes({ name: "failover", internalSecret, env: { APPS_LEASE_SECONDS: leaseSeconds, CANOPY_ADMIN_USERNAME: "fstaff", CANOPY_ADMIN_PASSWORD: "failover-staff-password" } });
const workers = new Map<string, StandaloneWorker>();
const db = new pg.Client({ connectionString: cluster.databaseUrl.toString() });
try {
  const start = async (workerId: string, nodeIndex: number) =>
    workers.set(workerId, await startStandaloneWorker({ workerId, serverUrl: cluster.nodes[nodeIndex]!.url, internalSecret, env: { RENDER_ENABLED: "false", LOG_LEVEL: "warn" } }));
  await start("w0", 0);
  await start("w1", 1);
  await db.connect();
  const staff = new TestClient(cluster.nodes[0].url);
  if (!(await staff.signIn("fstaff", "failover-staff-password"))) throw new Error("cannot sign in");
  await staff.mutation("apps.create", { id: "failover-app", name: "failover" });
  const proposal = { actions: [{ name: "set_js_app", args: { bundle: { metadata: { endpoints: { "/ping": { get: { js_module: "ping.js", js_function: "ping" } } } }, modules: [{ name: "ping.js", module: "export function ping() { return { body: 'pong' }; }" }] } } }] };
  await until(async () => (await staff.fetch("/api/apps/failover-app/deploy", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(proposal) })).status === 200, 90_000);
  const answers = async () => (await Promise.all(cluster.nodes.map(async (node) => (await fetch(`${node.url}/apps/failover-app/api/ping`)).status === 200))).every(Boolean);
  const placement = async () => (await db.query<{ workerId: string }>(`SELECT "workerId" FROM "AppPlacement" WHERE "appId" = 'failover-app' AND target = 'live'`)).rows[0]!.workerId;
  const alive = async () => ((await staff.query<{ workerId: string; status: string }[]>("status.workers")).data ?? []).filter((worker) => worker.status === "alive").map((worker) => worker.workerId);

  const failoverMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await until(answers, 30_000);
    const victim = await placement();
    const survivorCount = (await alive()).length - 1;
    if (survivorCount < 1) throw new Error("no second worker alive");
    await workers.get(victim)!.kill();
    const killedAt = performance.now();
    await until(async () => (await answers()) && (await placement()) !== victim, 60_000);
    failoverMs.push(Math.round(performance.now() - killedAt));
    // A replacement on the node the victim used, so the next round again has two workers.
    const replacement = `w${round + 2}`;
    await start(replacement, Number(victim.slice(1)) % 2);
    await until(async () => (await alive()).includes(replacement), 60_000);
  }
  const sorted = [...failoverMs].sort((a, b) => a - b);
  const result = { benchmark: "workers-failover", at: new Date().toISOString(), rounds, leaseSeconds: Number(leaseSeconds), heartbeatSeconds: 1, failoverMs, medianMs: sorted[Math.floor(sorted.length / 2)] };
  const file = path.join(here, "results", `${result.at.replace(/[:.]/g, "-")}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
} finally {
  await db.end().catch(() => undefined);
  for (const worker of workers.values()) await worker.kill();
  await cluster.stop();
}
