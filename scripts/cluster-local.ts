// `npm run cluster:local`: a cluster on one machine, as scale-out runs it on many. Starts
// CLUSTER_LOCAL_NODES server nodes (each with its supervised worker) on the ports after
// CLUSTER_LOCAL_PORT, sharing PostgreSQL (DATABASE_URL; the database is created when missing),
// Redis (REDIS_URL) and one DATA_DIR, behind the sticky load balancer on CLUSTER_LOCAL_PORT.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createStickyBalancer } from "../server/cluster/load-balancer";
import { parseEnv } from "../server/env";
import { loadSecrets } from "../server/secrets";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const config = parseEnv({
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/canopy_cluster_local",
  REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
});
const databaseUrl = config.DATABASE_URL!;
const publicUrl = `http://localhost:${config.CLUSTER_LOCAL_PORT}`;

/** Creates the database when the server has none of that name (nodes then migrate it once). */
async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  await admin.end();
}

function startNode(index: number, secrets: { internalSecret: string; authSecret: string }): ChildProcess {
  const name = `node-${index + 1}`;
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(config.CLUSTER_LOCAL_PORT + 1 + index),
      DATABASE_URL: databaseUrl,
      REDIS_URL: config.REDIS_URL,
      CANOPY_NODE_ID: name,
      // One machine: every node's secrets and media in one place; each worker its own RTMP port.
      DATA_DIR: path.resolve(config.DATA_DIR),
      INTERNAL_SECRET: secrets.internalSecret,
      NEXTAUTH_SECRET: secrets.authSecret,
      NEXTAUTH_URL: publicUrl,
      CANOPY_PUBLIC_URL: publicUrl,
      RTMP_PORT: String(config.RTMP_PORT + index),
    },
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
  child.on("exit", (code, signal) => process.stdout.write(`[${name}] exited (${signal ?? code})\n`));
  return child;
}

async function main(): Promise<void> {
  const build = spawn(process.execPath, ["scripts/ensure-build.mjs"], { cwd: projectRoot, stdio: "inherit" });
  if ((await new Promise((resolve) => build.on("exit", resolve))) !== 0) throw new Error("next build failed");
  await ensureDatabase(databaseUrl);
  const secrets = loadSecrets({ dataDir: path.resolve(config.DATA_DIR), internalSecret: config.INTERNAL_SECRET, authSecret: config.NEXTAUTH_SECRET });
  const nodes = Array.from({ length: config.CLUSTER_LOCAL_NODES }, (_, index) => startNode(index, secrets));
  const balancer = createStickyBalancer({
    nodes: nodes.map((_, index) => ({ host: "127.0.0.1", port: config.CLUSTER_LOCAL_PORT + 1 + index })),
  });
  balancer.listen(config.CLUSTER_LOCAL_PORT, config.HOST, () => {
    process.stdout.write(`[balancer] ${publicUrl} → ${nodes.length} nodes on ports ${config.CLUSTER_LOCAL_PORT + 1}–${config.CLUSTER_LOCAL_PORT + nodes.length}\n`);
  });
  const stop = () => {
    balancer.close();
    for (const node of nodes) node.kill("SIGTERM");
    Promise.all(nodes.map((node) => new Promise((resolve) => (node.exitCode !== null || node.signalCode !== null ? resolve(null) : node.once("exit", resolve))))).then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`cluster:local failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
