import type { PrismaClient } from "../db/generated/client";

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

export async function listVods(options: { prisma: PrismaClient; channel: string; limit?: number }) {
  const vods = await options.prisma.vod.findMany({
    where: { channel: { name: options.channel } },
    orderBy: { startedAt: "desc" },
    take: options.limit ?? 50,
  });
  return vods.map((vod) => ({
    id: vod.id,
    title: vod.title,
    durationSeconds: vod.durationSeconds,
    sizeBytes: Number(vod.sizeBytes),
    startedAt: vod.startedAt,
    endedAt: vod.endedAt,
    playlistUrl: `/vod/${vod.id}/index.m3u8`,
    posterUrl: `/vod/${vod.id}/poster.jpg`,
  }));
}
