import type { PrismaClient } from "../db/generated/client";
import { hashStreamKey } from "./stream-key";

/**
 * Open360's checkKeyExists, answered for the ingest. An accepted key atomically claims the channel
 * for this ingest session (LURKING until media flows), so a second publisher is refused even when
 * both arrive at once.
 */
export async function checkStreamKey(options: { prisma: PrismaClient; streamKey: string; sessionId: string; workerId: string }) {
  const channel = await options.prisma.channel.findUnique({ where: { streamKeyHash: hashStreamKey(options.streamKey) } });
  if (!channel) return { exists: false, allowed: false, reason: "unknown-key" as const };
  const claimed = await options.prisma.channel.updateMany({
    where: { id: channel.id, OR: [{ liveSessionId: null }, { status: "OFFLINE" }] },
    data: { status: "LURKING", statusChangedAt: new Date(), liveSessionId: options.sessionId, liveWorkerId: options.workerId, liveStartedAt: new Date() },
  });
  if (claimed.count === 0) return { exists: true, allowed: false, reason: "already-live" as const, channel: channel.name, publicId: channel.publicId };
  return { exists: true, allowed: true, channel: channel.name, publicId: channel.publicId };
}
