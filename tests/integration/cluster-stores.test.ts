// The Redis-backed chat stores as two nodes use them (two clients, two node ids) against a real
// Redis: presence is one view across nodes and forgets a node that stops refreshing; the rate
// limiter lets exactly `limit` of many concurrent hits through, whichever node they reach.
import crypto from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { createRedisPresence } from "../../server/chat/presence";
import { createRedisRateLimiter } from "../../server/chat/rate-limiter";
import type { RedisClient } from "../../server/cluster/redis";
import { waitFor } from "../helpers/server";

const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const redisUp = await new Promise<boolean>((resolve) => {
  const socket = net.connect(Number(redisUrl.port || 6379), redisUrl.hostname);
  socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
  socket.once("connect", () => (socket.end(), resolve(true)));
  socket.once("error", () => resolve(false));
});
if (!redisUp) console.warn(`cluster store tests skipped: Redis at ${redisUrl.host} not reachable`);

const keyPrefix = `canopy_stores_${crypto.randomBytes(4).toString("hex")}`;
const clients: RedisClient[] = [];

async function connect(): Promise<RedisClient> {
  const client = createClient({ url: redisUrl.toString() });
  await client.connect();
  clients.push(client);
  return client;
}

describe.skipIf(!redisUp)("Redis stores shared by two nodes", () => {
  let redisA: RedisClient;
  let redisB: RedisClient;
  beforeAll(async () => {
    [redisA, redisB] = await Promise.all([connect(), connect()]);
  });
  afterAll(async () => {
    for await (const keys of redisA.scanIterator({ MATCH: `${keyPrefix}:*` })) if (keys.length) await redisA.del(keys);
    await Promise.all(clients.map((client) => client.close()));
  });

  it("presence: a user is announced once and parted once across nodes; counts and participants span both", async () => {
    const a = createRedisPresence({ redis: redisA, keyPrefix, nodeId: "a" });
    const b = createRedisPresence({ redis: redisB, keyPrefix, nodeId: "b" });
    try {
      expect(await a.add("c", "s1", "alice")).toBe(true);
      expect(await b.add("c", "s2", "alice")).toBe(false);
      expect(await b.add("c", "s3", null)).toBe(false);
      expect(await b.add("c", "s4", "bob")).toBe(true);
      expect(await a.viewerCount("c")).toBe(4);
      expect(await b.participants("c")).toEqual(["alice", "bob"]);
      expect(await a.remove("c", "s1")).toEqual({ username: "alice", lastOfUser: false });
      expect(await b.remove("c", "s2")).toEqual({ username: "alice", lastOfUser: true });
      expect(await b.remove("c", "s2")).toBeUndefined();
      expect(await b.remove("c", "s3")).toEqual({ username: null, lastOfUser: false });
      expect(await a.participants("c")).toEqual(["bob"]);
      expect(await a.viewerCount("c")).toBe(1);
    } finally {
      a.stop();
      b.stop();
    }
  });

  it("presence: the connections of a node that stops refreshing (it died) disappear", async () => {
    const dying = createRedisPresence({ redis: redisA, keyPrefix, nodeId: "dying", ttlMs: 300 });
    const alive = createRedisPresence({ redis: redisB, keyPrefix, nodeId: "alive", ttlMs: 60_000 });
    try {
      await dying.add("d", "s1", "carol");
      dying.stop();
      await alive.add("d", "s2", "dave");
      expect(await alive.participants("d")).toEqual(["carol", "dave"]);
      await waitFor(async () => (await alive.viewerCount("d")) === 1, 10_000);
      expect(await alive.participants("d")).toEqual(["dave"]);
    } finally {
      alive.stop();
    }
  });

  it("rate limiter: of many concurrent hits on two nodes exactly `limit` pass, and the rest are told how long to wait", async () => {
    const a = createRedisRateLimiter({ redis: redisA, keyPrefix });
    const b = createRedisRateLimiter({ redis: redisB, keyPrefix });
    const waits = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 ? a : b).hit("user:1", 5, 60_000)));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    for (const wait of waits.filter((wait) => wait > 0)) expect(wait).toBeLessThanOrEqual(60_000);
    expect(await a.hit("user:2", 5, 60_000)).toBe(0);
  });
});
