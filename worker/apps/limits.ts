// Limits of the app runtime (from the environment) and the small meters that enforce them.
import type { Env } from "../../server/env";

export type RuntimeLimits = {
  memoryMb: number;
  cpuMsPerEntry: number;
  requestTimeoutMs: number;
  cpuBudgetMsPerMinute: number;
  maxTimers: number;
  logLinesPerSecond: number;
  kvMaxBytes: number;
  chatSendsPerMinute: number;
  maxResponseBytes: number;
  suspendAfterViolations: number;
  violationWindowMs: number;
};

export function limitsFromEnv(env: Env): RuntimeLimits {
  return {
    memoryMb: env.APPS_MEMORY_MB,
    cpuMsPerEntry: env.APPS_CPU_MS_PER_CALL,
    requestTimeoutMs: env.APPS_REQUEST_TIMEOUT_MS,
    cpuBudgetMsPerMinute: env.APPS_CPU_BUDGET_MS_PER_MINUTE,
    maxTimers: env.APPS_MAX_TIMERS,
    logLinesPerSecond: env.APPS_LOG_LINES_PER_SECOND,
    kvMaxBytes: env.APPS_KV_MAX_BYTES,
    chatSendsPerMinute: env.APPS_CHAT_SENDS_PER_MINUTE,
    // Responses travel over the internal bus, whose messages are bounded by MAX_BODY_BYTES.
    maxResponseBytes: Math.max(1024, env.MAX_BODY_BYTES - 64 * 1024),
    suspendAfterViolations: env.APPS_SUSPEND_AFTER_VIOLATIONS,
    violationWindowMs: 10 * 60_000,
  };
}

/** A token bucket: `take()` is false when the rate is exceeded. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Sums values over a sliding window (CPU ms over the last minute). */
export class SlidingSum {
  private readonly samples: [number, number][] = [];

  constructor(private readonly windowMs: number) {}

  add(value: number, at = Date.now()): void {
    if (value > 0) this.samples.push([at, value]);
  }

  total(at = Date.now()): number {
    while (this.samples.length && this.samples[0]![0] < at - this.windowMs) this.samples.shift();
    return this.samples.reduce((sum, [, value]) => sum + value, 0);
  }

  count(at = Date.now()): number {
    this.total(at);
    return this.samples.length;
  }
}
