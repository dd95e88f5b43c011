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
  bytes: ByteBudget;
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
    bytes: byteBudget(env.MAX_BODY_BYTES),
    suspendAfterViolations: env.APPS_SUSPEND_AFTER_VIOLATIONS,
    violationWindowMs: 10 * 60_000,
  };
}

/**
 * Bytes and counts of everything app code makes leave its isolate. Whatever it makes travels to
 * the server in a bus message, and the server's Socket.IO drops a connection that sends a message
 * over MAX_BODY_BYTES (its maxHttpBufferSize), which would fail every app of the worker. So each
 * channel is bounded where it is made, at the bus limit less headroom for the envelope and the
 * fields around it, and excess is an error for the app alone.
 */
export type ByteBudget = {
  /** The bus's message limit (MAX_BODY_BYTES); the bus client refuses anything larger. */
  busMessageBytes: number;
  /** A response body, in UTF-8 bytes for text. */
  responseBodyBytes: number;
  responseHeaderCount: number;
  /** A response's header names and values together, in UTF-8 bytes. */
  responseHeaderBytes: number;
  /** One canopy.rpc.emit payload, and one rpc method's result, as JSON. */
  rpcPayloadBytes: number;
  /** One log line; longer lines are cut with a marker saying how much was dropped. */
  logLineBytes: number;
  /** One batch of log lines on the bus (batches are split to fit). */
  logBatchBytes: number;
  /** Writes (and deletes) in one KV transaction: its write set travels in one message (the bus schema's limit). */
  kvTransactionWrites: number;
  /** One KV transaction's write set as it travels (base64 keys and values with their fields). */
  kvTransactionBytes: number;
  /** Any one input of a host function (btoa, atob, digest, text encoding, URL, console, KV values). */
  hostInputBytes: number;
};

export function byteBudget(busMessageBytes: number): ByteBudget {
  const headroom = Math.min(64 * 1024, Math.floor(busMessageBytes / 4));
  const payload = busMessageBytes - headroom;
  return {
    busMessageBytes,
    responseBodyBytes: payload,
    responseHeaderCount: 100,
    responseHeaderBytes: Math.min(32 * 1024, Math.floor(headroom / 2)),
    rpcPayloadBytes: payload,
    logLineBytes: Math.min(4096, Math.floor(headroom / 4)),
    logBatchBytes: payload,
    kvTransactionWrites: 10_000,
    kvTransactionBytes: payload,
    // Nothing larger than a bus message can come in or go out (base64 adds a third): larger
    // inputs only cost the host's thread, which is shared by every app on it.
    hostInputBytes: 2 * busMessageBytes,
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
