import type { PrismaClient } from "../db/generated/client";
import type { PresenceStore } from "../chat/presence";
import { AppError } from "../errors";
import { findChannel } from "../chat/find-channel";
import { toPublicChannel } from "./channel-views";
import type { LiveStats } from "./record-stream-stats";

/** The streamer dashboard of the caller's own channel. */
export async function getDashboard(options: { prisma: PrismaClient; presence: PresenceStore; username: string; rtmp: { port: number; host?: string } }) {
  const channel = await findChannel({ prisma: options.prisma, name: options.username });
  if (!channel) throw new AppError("NOT_FOUND", "You have no channel");
  const since = new Date(Date.now() - 60 * 60_000);
  const samples = channel.liveSessionId
    ? await options.prisma.streamSample.findMany({
        where: { channelId: channel.id, sessionId: channel.liveSessionId, at: { gte: since } },
        orderBy: { at: "asc" },
        take: 720,
      })
    : [];
  return {
    channel: await toPublicChannel(channel, options.presence),
    streamKey: { set: !!channel.streamKeyHash, hint: channel.streamKeyHint, createdAt: channel.streamKeyCreatedAt },
    // host null: the client shows the host the page was loaded from.
    rtmp: { host: options.rtmp.host ?? null, port: options.rtmp.port, app: "live" },
    stats: channel.status === "OFFLINE" ? null : (channel.liveStats as LiveStats | null),
    samples: samples.map((sample) => ({ at: sample.at.getTime(), viewers: sample.viewers, bitrateKbps: sample.bitrateKbps })),
  };
}

export async function updateChannelInfo(options: {
  prisma: PrismaClient;
  username: string;
  info: { title?: string; description?: string; tags?: string[]; directory?: string };
}) {
  const channel = await findChannel({ prisma: options.prisma, name: options.username });
  if (!channel) throw new AppError("NOT_FOUND", "You have no channel");
  const updated = await options.prisma.channel.update({ where: { id: channel.id }, data: options.info });
  return { title: updated.title, description: updated.description, tags: updated.tags, directory: updated.directory };
}
