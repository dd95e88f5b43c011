import type { Channel, PrismaClient } from "../db/generated/client";
import type { PresenceStore } from "../chat/presence";
import { findChannel } from "../chat/find-channel";
import type { LiveStats } from "./record-stream-stats";

/** What anyone may see of a channel: never the key, only the public id in media URLs. */
export async function toPublicChannel(channel: Channel, presence: PresenceStore) {
  const live = channel.status !== "OFFLINE";
  const stats = channel.liveStats as LiveStats | null;
  return {
    name: channel.name,
    title: channel.title,
    description: channel.description,
    tags: channel.tags,
    directory: channel.directory,
    status: channel.status,
    live,
    liveStartedAt: live ? channel.liveStartedAt : null,
    viewers: await presence.viewerCount(channel.name),
    playlistUrl: `/live/${channel.publicId}/index.m3u8`,
    thumbnailUrl: `/live/${channel.publicId}/thumbnail.jpg${stats?.thumbnailAt ? `?t=${stats.thumbnailAt}` : ""}`,
  };
}

export type PublicChannel = Awaited<ReturnType<typeof toPublicChannel>>;

export async function getPublicChannel(options: { prisma: PrismaClient; presence: PresenceStore; name: string }): Promise<PublicChannel | null> {
  const channel = await findChannel({ prisma: options.prisma, name: options.name });
  return channel ? await toPublicChannel(channel, options.presence) : null;
}

/** The explore page: live channels, most watched first, optionally in one directory. */
export async function listLiveChannels(options: { prisma: PrismaClient; presence: PresenceStore; directory?: string; limit?: number }) {
  const channels = await options.prisma.channel.findMany({
    where: { status: { not: "OFFLINE" }, ...(options.directory ? { directory: options.directory } : {}) },
    take: options.limit ?? 100,
  });
  const views = await Promise.all(channels.map((channel) => toPublicChannel(channel, options.presence)));
  return views.sort((a, b) => b.viewers - a.viewers);
}

/** Directories that have at least one channel, for the explore filter. */
export async function listDirectories(options: { prisma: PrismaClient }): Promise<string[]> {
  const rows = await options.prisma.channel.findMany({ where: { directory: { not: "" } }, distinct: ["directory"], select: { directory: true }, orderBy: { directory: "asc" } });
  return rows.map((row) => row.directory);
}
