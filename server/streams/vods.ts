import type { PrismaClient, Vod } from "../db/generated/client";
import { AppError } from "../errors";

export async function recordVod(options: {
  prisma: PrismaClient;
  vod: { vodId: string; publicId: string; sessionId: string; durationSeconds: number; sizeBytes: number; startedAt: number; endedAt: number };
}): Promise<void> {
  const channel = await options.prisma.channel.findUnique({ where: { publicId: options.vod.publicId } });
  if (!channel) return;
  const { vod } = options;
  await options.prisma.vod.upsert({
    where: { id: vod.vodId },
    create: {
      id: vod.vodId,
      channelId: channel.id,
      sessionId: vod.sessionId,
      title: channel.title || `${channel.name}'s stream`,
      durationSeconds: vod.durationSeconds,
      sizeBytes: BigInt(vod.sizeBytes),
      startedAt: new Date(vod.startedAt),
      endedAt: new Date(vod.endedAt),
    },
    update: { durationSeconds: vod.durationSeconds, sizeBytes: BigInt(vod.sizeBytes), endedAt: new Date(vod.endedAt) },
  });
}

export async function forgetVod(options: { prisma: PrismaClient; vodId: string }): Promise<void> {
  await options.prisma.vod.deleteMany({ where: { id: options.vodId } });
}

function toVodView(vod: Vod) {
  return {
    id: vod.id,
    title: vod.title,
    durationSeconds: vod.durationSeconds,
    sizeBytes: Number(vod.sizeBytes),
    startedAt: vod.startedAt,
    endedAt: vod.endedAt,
    playlistUrl: `/vod/${vod.id}/index.m3u8`,
    posterUrl: `/vod/${vod.id}/poster.jpg`,
  };
}

export async function listVods(options: { prisma: PrismaClient; channel: string; limit?: number }) {
  const vods = await options.prisma.vod.findMany({
    where: { channel: { name: options.channel } },
    orderBy: { startedAt: "desc" },
    take: options.limit ?? 50,
  });
  return vods.map(toVodView);
}

/** One recording of a channel, however old. */
export async function getVod(options: { prisma: PrismaClient; channel: string; id: string }) {
  const vod = await options.prisma.vod.findFirst({ where: { id: options.id, channel: { name: options.channel } } });
  if (!vod) throw new AppError("NOT_FOUND", "No such recording");
  return toVodView(vod);
}
