import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { findChannel } from "./find-channel";
import { toMessageView } from "./message-view";
import type { ChatMessageView } from "./schemas";

export const maxHistoryLimit = 1000;

/**
 * A channel's messages, newest first (Ting's order): the newest `limit`, or those before
 * `beforeId` (paging back), or those after `afterId` (catching up after a reconnect).
 * Deleted messages are never served.
 */
export async function channelHistory(options: {
  prisma: PrismaClient;
  channel: string;
  limit: number;
  beforeId?: number;
  afterId?: number;
}): Promise<ChatMessageView[]> {
  const channel = await findChannel({ prisma: options.prisma, name: options.channel });
  if (!channel) throw new AppError("NOT_FOUND", `No channel #${options.channel}`);
  const rows = await options.prisma.chatMessage.findMany({
    where: {
      channelId: channel.id,
      deletedAt: null,
      id: { ...(options.beforeId !== undefined && { lt: options.beforeId }), ...(options.afterId !== undefined && { gt: options.afterId }) },
    },
    // Catching up reads forward from the last seen id, so nothing in between is skipped.
    orderBy: { id: options.afterId !== undefined ? "asc" : "desc" },
    take: Math.min(options.limit, maxHistoryLimit),
  });
  const views = rows.map(toMessageView);
  return options.afterId !== undefined ? views.reverse() : views;
}

/** Direct messages between two users, newest first; only those two may read them. */
export async function directHistory(options: {
  prisma: PrismaClient;
  username: string;
  other: string;
  limit: number;
  beforeId?: number;
  afterId?: number;
}): Promise<ChatMessageView[]> {
  const rows = await options.prisma.chatMessage.findMany({
    where: {
      type: "USER",
      deletedAt: null,
      OR: [
        { username: options.username, target: options.other },
        { username: options.other, target: options.username },
      ],
      id: { ...(options.beforeId !== undefined && { lt: options.beforeId }), ...(options.afterId !== undefined && { gt: options.afterId }) },
    },
    orderBy: { id: options.afterId !== undefined ? "asc" : "desc" },
    take: Math.min(options.limit, maxHistoryLimit),
  });
  const views = rows.map(toMessageView);
  return options.afterId !== undefined ? views.reverse() : views;
}
