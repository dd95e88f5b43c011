// PostgreSQL and Redis for the tests that run several nodes: where they are, which of them cannot
// be reached (those tests are then skipped with a message), and two nodes sharing them.
import crypto from "node:crypto";
import net from "node:net";
import pg from "pg";
import { createClient } from "redis";
import { startServer, type RunningServer } from "./server";

export const postgresUrl = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
export const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");

function reachable(url: URL, defaultPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port || defaultPort), url.hostname);
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once("connect", () => (socket.end(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** Descriptions of the services that are not reachable (empty when both are). */
export async function unreachableClusterServices(): Promise<string[]> {
  const [postgres, redis] = await Promise.all([reachable(postgresUrl, 5432), reachable(redisUrl, 6379)]);
  return [!postgres && `PostgreSQL at ${postgresUrl.host}`, !redis && `Redis at ${redisUrl.host}`].filter((entry): entry is string => Boolean(entry));
}

export type TwoNodes = { nodes: [RunningServer, RunningServer]; databaseUrl: URL; redisKeyPrefix: string; stop(): Promise<void> };

/**
 * Two server nodes ("node-a", "node-b") on a fresh PostgreSQL database and their own Redis key
 * prefix (so runs sharing one Redis never see each other), without supervised workers. `stop()`
 * stops them and removes the database and the keys.
 */
export async function startTwoNodes(options: { name: string; internalSecret: string; env?: Record<string, string> }): Promise<TwoNodes> {
  const databaseName = `canopy_${options.name}_${crypto.randomBytes(4).toString("hex")}`;
  const adminQuery = async (sql: string) => {
    const admin = new pg.Client({ connectionString: postgresUrl.toString() });
    await admin.connect();
    await admin.query(sql).finally(() => admin.end());
  };
  await adminQuery(`CREATE DATABASE "${databaseName}"`);
  const databaseUrl = new URL(postgresUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const env = {
    REDIS_URL: redisUrl.toString(),
    REDIS_KEY_PREFIX: databaseName,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    INTERNAL_SECRET: options.internalSecret,
    CANOPY_START_WORKER: "false",
    ...options.env,
  };
  // Started together: the migration lock lets one node migrate while the other waits.
  const nodes = (await Promise.all(
    ["node-a", "node-b"].map((nodeId) => startServer({ databaseUrl: databaseUrl.toString(), env: { ...env, CANOPY_NODE_ID: nodeId } })),
  )) as [RunningServer, RunningServer];
  return {
    nodes,
    databaseUrl,
    redisKeyPrefix: databaseName,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch(() => undefined);
      const redis = createClient({ url: redisUrl.toString() });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: `${databaseName}:*` })) if (keys.length) await redis.del(keys);
      await redis.close();
    },
  };
}
