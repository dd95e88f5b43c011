import type { PrismaClient } from "../db/generated/client";

export type LiveStats = {
  bitrateKbps: number;
  width?: number;
  height?: number;
  fps?: number;
  videoCodec?: string;
  audioCodec?: string;
  uptimeSeconds: number;
  thumbnailAt?: number;
};

/** Keeps the latest stats on the channel and one chart sample (with the viewer count) per report. */
export async function recordStreamStats(options: {
  prisma: PrismaClient;
  publicId: string;
  sessionId: string;
  stats: LiveStats;
  viewers: (channel: string) => Promise<number>;
}): Promise<void> {
  const channel = await options.prisma.channel.findUnique({ where: { publicId: options.publicId } });
  if (!channel || channel.liveSessionId !== options.sessionId) return;
  const viewers = await options.viewers(channel.name);
  await options.prisma.$transaction([
    options.prisma.channel.update({ where: { id: channel.id }, data: { liveStats: options.stats } }),
    options.prisma.streamSample.create({
      data: { channelId: channel.id, sessionId: options.sessionId, viewers, bitrateKbps: options.stats.bitrateKbps },
    }),
  ]);
}
