// Measurement helpers the benchmarks share: rounding, percentiles and a closed-loop HTTP load.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export const median = (samples: number[]) => percentile(samples, 50);

export type LoadResult = { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; statuses: Record<number, number> };

/**
 * Closed-loop load: `concurrency` keep-alive connections, each sending its next GET on an answer,
 * until `durationMs` passes or `signal` aborts. Latencies count 200 answers only.
 */
export async function httpLoad(options: { url: string; concurrency: number; durationMs: number; headers?: http.OutgoingHttpHeaders; signal?: AbortSignal }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL(options.url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const request = http.get({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, headers: options.headers }, (response) => {
        response.resume();
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === 200) latencies.push(performance.now() - sent);
          else errors++;
          resolve();
        });
      });
      request.on("error", () => {
        errors++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline && !options.signal?.aborted) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { requestsPerSecond: round(latencies.length / elapsed), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2), errors, statuses };
}

/** Prints a benchmark's report as JSON, and writes it to `out` when given. */
export function printReport(report: unknown, out?: string): void {
  const text = JSON.stringify(report, null, 2);
  console.log(text);
  if (!out) return;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${text}\n`);
}
