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

// Redis layout per channel: a set of the nodes with connections there, and per node a hash
// connection id → username ("" for guests). A node's hashes (and the set) expire unless a node
// refreshes them, so the connections of a node that died vanish within `ttlMs`. Scripts run atomically, so "first"
// and "last" connection of a user are decided once cluster-wide.
const viewerCountScript = `
local prefix = KEYS[1]
local count = 0
for _, node in ipairs(redis.call('SMEMBERS', prefix .. 'nodes')) do
  local size = redis.call('HLEN', prefix .. 'node:' .. node)
  if size == 0 then redis.call('SREM', prefix .. 'nodes', node) end
  count = count + size
end
return count`;

const addScript = `
local prefix, node, connection, username, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local key = prefix .. 'node:' .. node
if redis.call('HSETNX', key, connection, username) == 0 then return 0 end
redis.call('PEXPIRE', key, ttl)
redis.call('SADD', prefix .. 'nodes', node)
redis.call('PEXPIRE', prefix .. 'nodes', ttl)
if username == '' then return 0 end
local count = 0
for _, other in ipairs(redis.call('SMEMBERS', prefix .. 'nodes')) do
  for _, name in ipairs(redis.call('HVALS', prefix .. 'node:' .. other)) do if name == username then count = count + 1 end end
end
return count == 1 and 1 or 0`;

const removeScript = `
local prefix, node, connection = KEYS[1], ARGV[1], ARGV[2]
local key = prefix .. 'node:' .. node
local username = redis.call('HGET', key, connection)
if not username then return false end
redis.call('HDEL', key, connection)
local count = 0
if username ~= '' then
  for _, other in ipairs(redis.call('SMEMBERS', prefix .. 'nodes')) do
    for _, name in ipairs(redis.call('HVALS', prefix .. 'node:' .. other)) do if name == username then count = count + 1 end end
  end
end
return {username, count}`;

export function createRedisPresence(options: { redis: RedisClient; keyPrefix: string; nodeId: string; ttlMs?: number }): PresenceStore & { stop(): void } {
  const { redis, nodeId } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const prefix = (channel: string) => `${options.keyPrefix}:presence:{${channel}}:`;
  /** Connections this node holds per channel, to know which hashes to keep alive. */
  const local = new Map<string, number>();

  const refresh = setInterval(() => {
    for (const channel of local.keys()) {
      void redis
        .multi()
        .pExpire(`${prefix(channel)}node:${nodeId}`, ttlMs)
        .sAdd(`${prefix(channel)}nodes`, nodeId)
        .pExpire(`${prefix(channel)}nodes`, ttlMs)
        .exec()
        .catch(() => undefined);
    }
  }, ttlMs / 3);
  refresh.unref();

  async function hashesOf(channel: string): Promise<Record<string, string>[]> {
    const nodes = await redis.sMembers(`${prefix(channel)}nodes`);
    return Promise.all(nodes.map((node) => redis.hGetAll(`${prefix(channel)}node:${node}`)));
  }

  return {
    async add(channel, connectionId, username) {
      const added = await redis.eval(addScript, { keys: [prefix(channel)], arguments: [nodeId, connectionId, username ?? "", String(ttlMs)] });
      local.set(channel, (local.get(channel) ?? 0) + 1);
      return added === 1;
    },
    async remove(channel, connectionId) {
      const removed = (await redis.eval(removeScript, { keys: [prefix(channel)], arguments: [nodeId, connectionId] })) as [string, number] | null;
      if (!removed) return undefined;
      const left = (local.get(channel) ?? 1) - 1;
      if (left > 0) local.set(channel, left);
      else local.delete(channel);
      const [username, remaining] = removed;
      return { username: username || null, lastOfUser: username !== "" && remaining === 0 };
    },
    async participants(channel) {
      const names = new Set<string>();
      for (const hash of await hashesOf(channel)) for (const name of Object.values(hash)) if (name) names.add(name);
      return [...names].sort();
    },
    async viewerCount(channel) {
      // Drops nodes whose hashes expired (a node that died) from the channel's set on the way.
      return Number(await redis.eval(viewerCountScript, { keys: [prefix(channel)] }));
    },
    stop: () => clearInterval(refresh),
  };
}
