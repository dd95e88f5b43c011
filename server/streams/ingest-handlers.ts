// The server's side of the ingest conversation on the internal bus (Open360 prompts). Only
// workers may speak it; every message is tied to the session that holds the channel.
import type { PrismaClient } from "../db/generated/client";
import type { PresenceStore } from "../chat/presence";
import type { BusEndpoint } from "../internal/bus-endpoint";
import type { Logger } from "../logger";
import { checkStreamKey } from "./check-stream-key";
import { recordStreamStats } from "./record-stream-stats";
import { reconcileWorkerStreams, setStreamStatus } from "./set-stream-status";
import { forgetVod, recordVod } from "./vods";

const workerIdOf = (label: string) => (label.startsWith("worker:") ? label.slice("worker:".length) : null);

export function registerIngestHandlers(
  bus: BusEndpoint,
  deps: {
    prisma: PrismaClient;
    presence: PresenceStore;
    logger: Logger;
    onLiveChange?: (change: { channel: string; live: boolean }) => void;
    /** A worker reported its live sessions (on every reconnect and periodically). */
    onSessionsReported?: (workerId: string) => void;
  },
): void {
  const { prisma, logger } = deps;
  const fromWorker = (label: string) => {
    const workerId = workerIdOf(label);
    if (!workerId) throw new Error("only workers speak the ingest prompts");
    return workerId;
  };

  bus.handle("checkKeyExists", async (data, envelope) => {
    const workerId = fromWorker(envelope.ack);
    const answer = await checkStreamKey({ prisma, streamKey: data.streamKey, sessionId: data.sessionId, workerId });
    // Never log the key; the session id and outcome are enough to follow a publish attempt.
    logger.info("publish checked", { sessionId: data.sessionId, allowed: answer.allowed, reason: answer.reason, channel: answer.channel });
    return answer;
  });
  bus.handle("setOnline", async (data, envelope) => {
    fromWorker(envelope.ack);
    if (await setStreamStatus({ prisma, session: data, status: "ONLINE" })) {
      logger.info("stream online", { channel: data.channel });
      deps.onLiveChange?.({ channel: data.channel, live: true });
    }
  });
  bus.handle("setLurking", async (data, envelope) => {
    fromWorker(envelope.ack);
    await setStreamStatus({ prisma, session: data, status: "LURKING" });
  });
  bus.handle("setOffline", async (data, envelope) => {
    fromWorker(envelope.ack);
    if (await setStreamStatus({ prisma, session: data, status: "OFFLINE" })) {
      logger.info("stream offline", { channel: data.channel, reason: data.reason });
      deps.onLiveChange?.({ channel: data.channel, live: false });
    }
  });
  bus.handle("streamStats", async (data, envelope) => {
    fromWorker(envelope.ack);
    const { channel: _channel, publicId, sessionId, ...stats } = data;
    await recordStreamStats({ prisma, publicId, sessionId, stats, viewers: (name) => deps.presence.viewerCount(name) });
  });
  bus.handle("vodReady", async (data, envelope) => {
    fromWorker(envelope.ack);
    await recordVod({ prisma, vod: data });
  });
  bus.handle("vodDeleted", async (data, envelope) => {
    fromWorker(envelope.ack);
    await forgetVod({ prisma, vodId: data.vodId });
  });
  bus.handle("ingestSessions", async (data, envelope) => {
    const workerId = fromWorker(envelope.ack);
    if (workerId !== data.workerId) return;
    deps.onSessionsReported?.(workerId);
    const ended = await reconcileWorkerStreams({ prisma, workerId, liveSessionIds: data.live.map((session) => session.sessionId) });
    if (ended) logger.info("reconciled streams of a worker", { workerId, markedOffline: ended });
  });
}
