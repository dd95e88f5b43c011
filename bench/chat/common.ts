// Shared by the chat benchmark's orchestrator (run.ts) and its load processes (load.ts): the IPC
// messages between them, the clock they share and a mergeable latency histogram.

/**
 * Milliseconds on the system-wide monotonic clock (CLOCK_MONOTONIC), so times taken in different
 * processes of this machine compare exactly (performance.timeOrigin differs by ~1 ms per process).
 */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A sender's credentials: an API token (Canopy) or nothing (bare server). */
export type SenderAuth = { token?: string; cookie?: string };

export type LoadConfig = {
  /** Server URLs; members connect to them in turn (several nodes of a cluster). */
  urls: string[];
  namespace: string;
  channel: string;
  runId: string;
  /** Receivers (guests) opened by this process. */
  receivers: number;
  /** Senders opened by this process (only process 0 has any). */
  senders: SenderAuth[];
  /** Messages per second over all senders. */
  rate: number;
  /** Receivers connected concurrently per batch. */
  batchSize: number;
  ackTimeoutMs: number;
};

export type ParentToLoad =
  | { type: "config"; config: LoadConfig }
  /**
   * Message `seq` (0 ≤ seq < endSeq) is due at dueTime(plan, seq): the warm-up ramps the rate up
   * linearly from 0, then it holds; those with firstMeasuredSeq ≤ seq are the measured ones (due
   * inside [measureStart, measureEnd)).
   */
  | ({ type: "start" } & SendPlan)
  /** Stop waiting for measured messages at `deadline`, then report. */
  | { type: "finish"; measuredSent: number; deadline: number };

export type SendPlan = { startAt: number; measureStart: number; measureEnd: number; rate: number; firstMeasuredSeq: number; endSeq: number };

/** A send plan: `warmupMs` of linear ramp from 0 to `rate` messages/s, then `measureMs` at `rate`. */
export function sendPlan(startAt: number, warmupMs: number, measureMs: number, rate: number): SendPlan {
  const firstMeasuredSeq = Math.ceil((rate * warmupMs) / 2000 - 1e-9);
  const measureStart = startAt + warmupMs;
  return { startAt, measureStart, measureEnd: measureStart + measureMs, rate, firstMeasuredSeq, endSeq: firstMeasuredSeq + Math.round((rate * measureMs) / 1000) };
}

/** When message `seq` is due (ms on the now() clock). */
export function dueTime(plan: SendPlan, seq: number): number {
  const warmupMs = plan.measureStart - plan.startAt;
  if (seq < plan.firstMeasuredSeq) return plan.startAt + Math.sqrt((2 * warmupMs * seq * 1000) / plan.rate); // n(t) = rate·t²/(2W)
  return plan.measureStart + ((seq - plan.firstMeasuredSeq) * 1000) / plan.rate;
}

export type LoadToParent =
  | { type: "connected"; receivers: number; senders: number; failed: number; connectMs: number; errors: string[] }
  | { type: "sent"; sent: number; measuredSent: number; acked: number; measuredAcked: number; ackErrors: Record<string, number>; ackHistogram: SparseHistogram; lateSends: number; maxSendLagMs: number }
  | { type: "result"; result: LoadResult }
  | { type: "fatal"; error: string };

export type LoadResult = {
  receivers: number;
  /** Deliveries (any message of this run) received inside the measurement window. */
  windowDeliveries: number;
  /** Deliveries of measured messages, whenever received (up to the drain deadline). */
  measuredDeliveries: number;
  duplicates: number;
  /** Messages a receiver saw that this run never sent (other traffic) or could not parse. */
  foreign: number;
  latency: SparseHistogram;
  /** Per measured message (index seq − firstMeasuredSeq): the slowest delivery, in ms. */
  maxLatencyBySeq: number[];
  /** Time the last measured delivery arrived. */
  lastDeliveryAt: number;
  disconnects: number;
  eventLoopDelayP99Ms: number;
};

/** Latency histogram: 0.1 ms buckets up to 60 s (anything slower lands in the last bucket). */
export const BUCKET_MS = 0.1;
export const BUCKETS = 600_000;
export type SparseHistogram = Array<[bucket: number, count: number]>;

export function newHistogram(): Uint32Array {
  return new Uint32Array(BUCKETS);
}

export function record(histogram: Uint32Array, ms: number): void {
  const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / BUCKET_MS)));
  histogram[bucket]!++;
}

export function toSparse(histogram: Uint32Array): SparseHistogram {
  const sparse: SparseHistogram = [];
  for (let i = 0; i < histogram.length; i++) if (histogram[i]) sparse.push([i, histogram[i]!]);
  return sparse;
}

export function mergeSparse(parts: SparseHistogram[]): Map<number, number> {
  const merged = new Map<number, number>();
  for (const part of parts) for (const [bucket, count] of part) merged.set(bucket, (merged.get(bucket) ?? 0) + count);
  return merged;
}

/** Percentiles (upper edge of the bucket holding the p-th sample), in ms. */
export function percentiles(merged: Map<number, number>, ps: number[]): { count: number; values: Record<string, number | null>; maxMs: number | null } {
  const buckets = [...merged].sort((a, b) => a[0] - b[0]);
  const count = buckets.reduce((sum, [, c]) => sum + c, 0);
  const values: Record<string, number | null> = {};
  for (const p of ps) {
    const key = `p${p}`;
    if (!count) {
      values[key] = null;
      continue;
    }
    const rank = Math.ceil((p / 100) * count);
    let seen = 0;
    for (const [bucket, c] of buckets) {
      seen += c;
      if (seen >= rank) {
        values[key] = round((bucket + 1) * BUCKET_MS);
        break;
      }
    }
  }
  const last = buckets.at(-1);
  return { count, values, maxMs: last ? round((last[0] + 1) * BUCKET_MS) : null };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Text of a benchmark message: run id, sequence number and send time (epoch ms, fractional). */
export function messageText(runId: string, seq: number, sentAt: number): string {
  return `${runId}|${seq}|${sentAt.toFixed(3)}`;
}

export function parseMessageText(text: unknown, runId: string): { seq: number; sentAt: number } | null {
  if (typeof text !== "string" || !text.startsWith(runId + "|")) return null;
  const second = text.indexOf("|", runId.length + 1);
  if (second < 0) return null;
  const seq = Number(text.slice(runId.length + 1, second));
  const sentAt = Number(text.slice(second + 1));
  return Number.isFinite(seq) && Number.isFinite(sentAt) ? { seq, sentAt } : null;
}
