import type { PrismaClient } from "../db/generated/client";
import type { PresenceStore } from "../chat/presence";
import { findChannel } from "../chat/find-channel";

/** Open360's stream states and their numeric codes. */
export const streamStatusCodes = { ONLINE: 0, OFFLINE: 1, LURKING: 2, UNKNOWN: 3 } as const;
export type StreamStatusName = keyof typeof streamStatusCodes;

export function statusBody(status: StreamStatusName) {
  return { streamStatus: status, code: streamStatusCodes[status] };
}

/** `GET /api/external/getStreamStatus`: UNKNOWN for names with no channel. */
export async function getStreamStatus(options: { prisma: PrismaClient; username: string }) {
  const channel = await findChannel({ prisma: options.prisma, name: options.username });
  return statusBody(channel ? channel.status : "UNKNOWN");
}

/** `GET /api/external/getStreamStats`, or null when there is no such channel. */
export async function getStreamStats(options: { prisma: PrismaClient; presence: PresenceStore; username: string }) {
  const channel = await findChannel({ prisma: options.prisma, name: options.username });
  if (!channel) return null;
  const owner = channel.ownerId ? await options.prisma.user.findUnique({ where: { id: channel.ownerId }, select: { username: true } }) : null;
  return {
    memberCount: await options.presence.viewerCount(channel.name),
    members: await options.presence.participants(channel.name),
    streamTitle: channel.title,
    streamDescription: channel.description,
    streamTags: channel.tags,
    streamDirectory: channel.directory,
    channelOwner: owner?.username ?? null,
    channelStatus: statusBody(channel.status),
  };
}
