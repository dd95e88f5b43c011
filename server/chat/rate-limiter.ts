// Sliding-window limits per key: an event is allowed when fewer than `limit` events of that key
// happened in the last `windowMs`. In memory per node for now; the interface lets a shared store
// (Redis) take over when several nodes serve one user.
export type RateLimiter = {
  /** Counts one event; returns 0 when allowed, else the milliseconds until it would be. */
  hit(key: string, limit: number, windowMs: number): number;
};

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const events = new Map<string, number[]>();
  let lastSweep = now();
  return {
    hit(key, limit, windowMs) {
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
