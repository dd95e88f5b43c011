// Who is in which channel, by connection: the interface the chat namespace needs, in memory for
// one node or in Redis for a cluster (counts then span every node).
import type { RedisClient } from "../cluster/redis";

export type PresenceStore = {
  /** Adds a connection; resolves true when it is this user's first connection in the channel. */
  add(channel: string, connectionId: string, username: string | null): Promise<boolean>;
  /** Removes a connection; resolves whether it was this user's last connection in the channel. */
  remove(channel: string, connectionId: string): Promise<{ username: string | null; lastOfUser: boolean } | undefined>;
  participants(channel: string): Promise<string[]>;
  viewerCount(channel: string): Promise<number>;
};

export function createMemoryPresence(): PresenceStore {
  const channels = new Map<string, Map<string, string | null>>();
  const connectionsOf = (channel: string, username: string) =>
    [...(channels.get(channel)?.values() ?? [])].filter((name) => name === username).length;

  return {
    async add(channel, connectionId, username) {
      let members = channels.get(channel);
      if (!members) channels.set(channel, (members = new Map()));
      if (members.has(connectionId)) return false;
      members.set(connectionId, username);
      return username !== null && connectionsOf(channel, username) === 1;
    },
    async remove(channel, connectionId) {
      const members = channels.get(channel);
      if (!members?.has(connectionId)) return undefined;
      const username = members.get(connectionId)!;
      members.delete(connectionId);
      if (members.size === 0) channels.delete(channel);
      return { username, lastOfUser: username !== null && connectionsOf(channel, username) === 0 };
    },
    async participants(channel) {
      const names = new Set<string>();
      for (const name of channels.get(channel)?.values() ?? []) if (name) names.add(name);
      return [...names].sort();
    },
    async viewerCount(channel) {
      return channels.get(channel)?.size ?? 0;
    },
  };
}

// Redis layout per channel (one hash slot, `{channel}`):
// - `node:<id>`: hash connection id → username ("" for guests) of one node's connections;
// - `users:<id>`: hash username → that node's connections of the user;
// - `users`: hash username → the user's connections on every node, so a user's first and last
//   connection are decided in O(1), atomically cluster-wide (scripts run atomically);
// - `nodes`: sorted set of the nodes holding connections, scored by the time (Redis clock) a node
//   counts as dead unless it refreshes.
// A node that died stops refreshing: the next script on the channel finds it past its deadline and
// reaps it, taking its connections out of `users`. Its own hashes outlive that deadline (3×ttl) so
// they are normally there to subtract; if they expired first (nothing touched the channel for that
// long), `users` is rebuilt from the live nodes' `users:<id>` instead. `users` and `nodes` always
// expire together; a live node whose entries outlived them (Redis out of its reach for a while) is
// counted in again by its next script (`heal`).
const presencePrelude = `
local prefix = KEYS[1]
local nodesKey, usersKey = prefix .. 'nodes', prefix .. 'users'
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
-- Adds (sign 1) or takes away (sign -1) a node's connections per user in 'users'.
local function countNode(node, sign)
  local counts = redis.call('HGETALL', prefix .. 'users:' .. node)
  for i = 1, #counts, 2 do
    if redis.call('HINCRBY', usersKey, counts[i], sign * tonumber(counts[i + 1])) <= 0 then redis.call('HDEL', usersKey, counts[i]) end
  end
end
-- Only ever extends (nodes may run with different ttls), and keeps both keys on one expiry.
local function extendChannel(ms)
  local target = math.max(ms, redis.call('PTTL', nodesKey), redis.call('PTTL', usersKey))
  if target > 0 then
    redis.call('PEXPIRE', nodesKey, target)
    redis.call('PEXPIRE', usersKey, target)
  end
end
local function reap()
  local lost = false
  for _, node in ipairs(redis.call('ZRANGEBYSCORE', nodesKey, '-inf', nowMs())) do
    redis.call('ZREM', nodesKey, node)
    if redis.call('EXISTS', prefix .. 'node:' .. node) == 0 then lost = true end
    countNode(node, -1)
    redis.call('DEL', prefix .. 'node:' .. node, prefix .. 'users:' .. node)
  end
  if lost then
    redis.call('DEL', usersKey)
    for _, node in ipairs(redis.call('ZRANGE', nodesKey, 0, -1)) do countNode(node, 1) end
    extendChannel(0)
  end
end
-- Marks a node alive for ttl more; its own hashes outlive its deadline so that a reap finds them.
local function touch(node, ttl)
  redis.call('ZADD', nodesKey, nowMs() + ttl, node)
  redis.call('PEXPIRE', prefix .. 'node:' .. node, ttl * 3)
  redis.call('PEXPIRE', prefix .. 'users:' .. node, ttl * 3)
  extendChannel(ttl * 2)
end
local function heal(node, ttl)
  if redis.call('EXISTS', prefix .. 'node:' .. node) == 1 and not redis.call('ZSCORE', nodesKey, node) then
    countNode(node, 1)
    touch(node, ttl)
  end
end
`;

const addScript = `${presencePrelude}
local node, connection, username, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
reap()
heal(node, ttl)
if redis.call('HSETNX', prefix .. 'node:' .. node, connection, username) == 0 then return 0 end
local first = 0
if username ~= '' then
  redis.call('HINCRBY', prefix .. 'users:' .. node, username, 1)
  if redis.call('HINCRBY', usersKey, username, 1) == 1 then first = 1 end
end
touch(node, ttl)
return first`;

const removeScript = `${presencePrelude}
local node, connection, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
reap()
heal(node, ttl)
local key = prefix .. 'node:' .. node
local username = redis.call('HGET', key, connection)
if not username then return false end
redis.call('HDEL', key, connection)
if redis.call('EXISTS', key) == 0 then redis.call('ZREM', nodesKey, node) end
if username == '' then return {username, 0} end
local nodeUsers = prefix .. 'users:' .. node
if redis.call('HINCRBY', nodeUsers, username, -1) <= 0 then redis.call('HDEL', nodeUsers, username) end
local remaining = redis.call('HINCRBY', usersKey, username, -1)
if remaining <= 0 then
  redis.call('HDEL', usersKey, username)
  remaining = 0
end
return {username, remaining}`;

const refreshScript = `${presencePrelude}
local node, ttl = ARGV[1], tonumber(ARGV[2])
heal(node, ttl)
if redis.call('EXISTS', prefix .. 'node:' .. node) == 1 then touch(node, ttl) end
return 0`;

const viewerCountScript = `${presencePrelude}
reap()
local count = 0
for _, node in ipairs(redis.call('ZRANGE', nodesKey, 0, -1)) do count = count + redis.call('HLEN', prefix .. 'node:' .. node) end
return count`;

const participantsScript = `${presencePrelude}
reap()
return redis.call('HKEYS', usersKey)`;

export function createRedisPresence(options: { redis: RedisClient; keyPrefix: string; nodeId: string; ttlMs?: number }): PresenceStore & { stop(): void } {
  const { redis, nodeId } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const prefix = (channel: string) => `${options.keyPrefix}:presence:{${channel}}:`;
  /** Connections this node holds per channel, to know which hashes to keep alive. */
  const local = new Map<string, number>();

  const refresh = setInterval(() => {
    for (const channel of local.keys()) {
      void redis.eval(refreshScript, { keys: [prefix(channel)], arguments: [nodeId, String(ttlMs)] }).catch(() => undefined);
    }
  }, ttlMs / 3);
  refresh.unref();

  return {
    async add(channel, connectionId, username) {
      const added = await redis.eval(addScript, { keys: [prefix(channel)], arguments: [nodeId, connectionId, username ?? "", String(ttlMs)] });
      local.set(channel, (local.get(channel) ?? 0) + 1);
      return added === 1;
    },
    async remove(channel, connectionId) {
      const removed = (await redis.eval(removeScript, { keys: [prefix(channel)], arguments: [nodeId, connectionId, String(ttlMs)] })) as [string, number] | null;
      if (!removed) return undefined;
      const left = (local.get(channel) ?? 1) - 1;
      if (left > 0) local.set(channel, left);
      else local.delete(channel);
      const [username, remaining] = removed;
      return { username: username || null, lastOfUser: username !== "" && remaining === 0 };
    },
    async participants(channel) {
      const names = (await redis.eval(participantsScript, { keys: [prefix(channel)] })) as string[];
      return names.sort();
    },
    async viewerCount(channel) {
      return Number(await redis.eval(viewerCountScript, { keys: [prefix(channel)] }));
    },
    stop: () => clearInterval(refresh),
  };
}
