// A worker that lost its bus connection may still have its publishers: a bus drop does not end
// RTMP sessions. Its streams keep their status for a grace period; the worker reports its live
// sessions on reconnecting (ingestSessions), which reconciles them (those still published stay,
// those that ended go OFFLINE). A worker not back within the grace took its sessions with it.
import type { PrismaClient } from "../db/generated/client";
import type { Logger } from "../logger";
import { reconcileWorkerStreams } from "./set-stream-status";

export type IngestReconnectGrace = {
  /** The worker is gone (disconnected, or silent past its heartbeats): end its streams unless it is back in time. */
  workerGone(workerId: string): void;
  /** The worker reported its live sessions: they are reconciled, nothing is left to end. */
  workerReported(workerId: string): void;
  stop(): void;
};

export function createIngestReconnectGrace(deps: { prisma: PrismaClient; logger: Logger; graceMs: number; isAlive(workerId: string): boolean }): IngestReconnectGrace {
  const timers = new Map<string, NodeJS.Timeout>();
  const forget = (workerId: string) => {
    clearTimeout(timers.get(workerId));
    timers.delete(workerId);
  };
  return {
    workerGone(workerId) {
      if (timers.has(workerId)) return;
      const timer = setTimeout(() => {
        timers.delete(workerId);
        // Back, perhaps on another node of a cluster: its own report reconciles its streams.
        if (deps.isAlive(workerId)) return;
        reconcileWorkerStreams({ prisma: deps.prisma, workerId, liveSessionIds: [] }).then(
          (ended) => ended && deps.logger.info("streams ended with their worker", { workerId, markedOffline: ended }),
          (error: unknown) => deps.logger.warn("streams of a gone worker not ended", { workerId, error: String(error) }),
        );
      }, deps.graceMs);
      timer.unref();
      timers.set(workerId, timer);
    },
    workerReported: forget,
    stop() {
      for (const workerId of [...timers.keys()]) forget(workerId);
    },
  };
}
