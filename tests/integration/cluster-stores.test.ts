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

  /** Two presence nodes: one whose entries die 300 ms after it stops refreshing, one that outlives the test. */
  const dyingAndAliveNodes = (name: string) => ({
    dying: createRedisPresence({ redis: redisA, keyPrefix, nodeId: `dying-${name}`, ttlMs: 300 }),
    alive: createRedisPresence({ redis: redisB, keyPrefix, nodeId: `alive-${name}`, ttlMs: 60_000 }),
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
    const { dying, alive } = dyingAndAliveNodes("d");
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

  it("presence: a user's connections on a node that died stop counting, so their last live connection is their last", async () => {
    const { dying, alive } = dyingAndAliveNodes("e");
    try {
      expect(await dying.add("e", "s1", "erin")).toBe(true);
      expect(await dying.add("e", "s2", "erin")).toBe(false);
      dying.stop();
      expect(await alive.add("e", "s3", "erin")).toBe(false);
      await waitFor(async () => (await alive.viewerCount("e")) === 1, 10_000);
      expect(await alive.participants("e")).toEqual(["erin"]);
      expect(await alive.remove("e", "s3")).toEqual({ username: "erin", lastOfUser: true });
      expect(await alive.participants("e")).toEqual([]);
      expect(await alive.add("e", "s4", "erin")).toBe(true);
      // The dead node's own connections are not removable from another node.
      expect(await alive.remove("e", "s1")).toBeUndefined();
    } finally {
      alive.stop();
    }
  });

  it("presence: a dead node whose entries expired before anyone looked is still taken out of the user counts", async () => {
    const { dying, alive } = dyingAndAliveNodes("f");
    try {
      await alive.add("f", "s1", "frank");
      expect(await dying.add("f", "s2", "frank")).toBe(false);
      expect(await dying.add("f", "s3", "grace")).toBe(true);
      dying.stop();
      // Touch nothing through presence until Redis itself has expired the dead node's connections.
      await waitFor(async () => (await redisA.exists(`${keyPrefix}:presence:{f}:node:dying-f`)) === 0, 10_000);
      expect(await alive.participants("f")).toEqual(["frank"]);
      expect(await alive.remove("f", "s1")).toEqual({ username: "frank", lastOfUser: true });
      expect(await alive.add("f", "s4", "grace")).toBe(true);
      expect(await alive.viewerCount("f")).toBe(1);
    } finally {
      alive.stop();
    }
  });

  it("presence: a live node whose entries outlived the channel's shared keys is counted in again", async () => {
    const node = createRedisPresence({ redis: redisA, keyPrefix, nodeId: "healing" });
    try {
      expect(await node.add("g", "s1", "hank")).toBe(true);
      // As when Redis was out of the node's reach for longer than the shared keys live.
      await redisA.del([`${keyPrefix}:presence:{g}:nodes`, `${keyPrefix}:presence:{g}:users`]);
      expect(await node.add("g", "s2", "hank")).toBe(false);
      expect(await node.viewerCount("g")).toBe(2);
      expect(await node.remove("g", "s1")).toEqual({ username: "hank", lastOfUser: false });
      expect(await node.remove("g", "s2")).toEqual({ username: "hank", lastOfUser: true });
      expect(await node.participants("g")).toEqual([]);
    } finally {
      node.stop();
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
