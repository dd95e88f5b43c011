import type { PrismaClient } from "../db/generated/client";

type SessionRef = { publicId: string; sessionId: string };

/**
 * Status changes reported by the ingest. Each applies only while the channel is still held by
 * that session, so a late message from an old session cannot flip a newer stream.
 */
export async function setStreamStatus(options: { prisma: PrismaClient; session: SessionRef; status: "ONLINE" | "LURKING" | "OFFLINE" }): Promise<boolean> {
  const { publicId, sessionId } = options.session;
  const result = await options.prisma.channel.updateMany({
    where: { publicId, liveSessionId: sessionId, NOT: { status: options.status } },
    data:
      options.status === "OFFLINE"
        ? { status: "OFFLINE", statusChangedAt: new Date(), liveSessionId: null, liveWorkerId: null, liveStartedAt: null }
        : { status: options.status, statusChangedAt: new Date() },
  });
  return result.count > 0;
}

/**
 * After a worker (re)connects or disappears: every channel it held that is not in its list of
 * live sessions goes OFFLINE, so nothing stays stuck ONLINE after a crash.
 */
export async function reconcileWorkerStreams(options: { prisma: PrismaClient; workerId: string; liveSessionIds: string[] }): Promise<number> {
  const result = await options.prisma.channel.updateMany({
    where: { liveWorkerId: options.workerId, NOT: { liveSessionId: { in: options.liveSessionIds } } },
    data: { status: "OFFLINE", statusChangedAt: new Date(), liveSessionId: null, liveWorkerId: null, liveStartedAt: null },
  });
  return result.count;
}
