import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { findChannel } from "../chat/find-channel";
import { generateStreamKey } from "./stream-key";

/**
 * Generates (or replaces) the caller's stream key and returns it once. A live stream on the old
 * key keeps its session id, so the caller can stop it (see stopLiveStream).
 */
export async function rotateStreamKey(options: { prisma: PrismaClient; username: string }) {
  const channel = await findChannel({ prisma: options.prisma, name: options.username });
  if (!channel) throw new AppError("NOT_FOUND", "You have no channel");
  const { key, hash, hint } = generateStreamKey();
  await options.prisma.channel.update({
    where: { id: channel.id },
    data: { streamKeyHash: hash, streamKeyHint: hint, streamKeyCreatedAt: new Date() },
  });
  return { streamKey: key, hint, publicId: channel.publicId, wasLive: channel.status !== "OFFLINE" };
}
