// Notices workers that stopped being alive in the (cluster-wide) registry: disconnected from any
// node or silent past the heartbeat timeout. The node a worker was connected to learns of its
// disconnect at once; every other node learns it here.
import type { ServiceRegistry } from "./registry";

export function watchWorkersGone(options: { registry: ServiceRegistry; intervalMs: number; onGone: (workerId: string) => void }): () => void {
  let alive = new Set<string>();
  const timer = setInterval(() => {
    const now = new Set(options.registry.workerSummaries().filter((worker) => worker.status !== "dead").map((worker) => worker.workerId));
    for (const workerId of alive) if (!now.has(workerId)) options.onGone(workerId);
    alive = now;
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
