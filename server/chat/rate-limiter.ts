// Sliding-window limits per key: an event is allowed when fewer than `limit` events of that key
// happened in the last `windowMs`. In memory for one node, in Redis for a cluster (one user's
// events count the same whichever node they reach).
import crypto from "node:crypto";
import type { RedisClient } from "../cluster/redis";

export type RateLimiter = {
  /** Counts one event; resolves 0 when allowed, else the milliseconds until it would be. */
  hit(key: string, limit: number, windowMs: number): Promise<number>;
};

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const events = new Map<string, number[]>();
  let lastSweep = now();
  return {
    async hit(key, limit, windowMs) {
      const time = now();
      if (time - lastSweep > 60_000) {
        for (const [entryKey, times] of events) if (time - times[times.length - 1]! >= windowMs) events.delete(entryKey);
        lastSweep = time;
      }
      const recent = (events.get(key) ?? []).filter((at) => time - at < windowMs);
      if (recent.length >= limit) {
        events.set(key, recent);
        return recent[0]! + windowMs - time;
      }
      recent.push(time);
      events.set(key, recent);
      return 0;
    },
  };
}

// One sorted set per key (member: a unique id, score: time in ms). Redis's own clock is used so
// nodes with skewed clocks agree; the script runs atomically, so two nodes cannot both pass the
// last free slot.
const hitScript = `
local key, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window - now
end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, window)
return 0`;

export function createRedisRateLimiter(options: { redis: RedisClient; keyPrefix: string }): RateLimiter {
  return {
    async hit(key, limit, windowMs) {
      const member = crypto.randomBytes(8).toString("hex");
      const wait = await options.redis.eval(hitScript, { keys: [`${options.keyPrefix}:rate:${key}`], arguments: [String(windowMs), String(limit), member] });
      return Math.max(0, Number(wait));
    },
  };
}
