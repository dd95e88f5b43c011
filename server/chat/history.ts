import type { ChatMessage, PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { findChannel } from "./find-channel";
import { toMessageView } from "./message-view";
import type { ChatMessageView } from "./schemas";

export const maxHistoryLimit = 1000;

type Page = { limit: number; beforeId?: number; afterId?: number };

/** Id bounds and order of one page; catching up reads forward from the last seen id, so nothing in between is skipped. */
function pageQuery(page: Page) {
  return {
    id: { ...(page.beforeId !== undefined && { lt: page.beforeId }), ...(page.afterId !== undefined && { gt: page.afterId }) },
    orderBy: { id: page.afterId !== undefined ? ("asc" as const) : ("desc" as const) },
    take: Math.min(page.limit, maxHistoryLimit),
  };
}

/** Pages are always returned newest first (Ting's order). */
function newestFirst(rows: ChatMessage[], page: Page): ChatMessageView[] {
  const views = rows.map(toMessageView);
  return page.afterId !== undefined ? views.reverse() : views;
}

/**
 * A channel's messages, newest first (Ting's order): the newest `limit`, or those before
 * `beforeId` (paging back), or those after `afterId` (catching up after a reconnect).
 * Deleted messages are never served.
 */
export async function channelHistory(options: { prisma: PrismaClient; channel: string } & Page): Promise<ChatMessageView[]> {
  const channel = await findChannel({ prisma: options.prisma, name: options.channel });
  if (!channel) throw new AppError("NOT_FOUND", `No channel #${options.channel}`);
  const { id, ...rest } = pageQuery(options);
  const rows = await options.prisma.chatMessage.findMany({ where: { channelId: channel.id, deletedAt: null, id }, ...rest });
  return newestFirst(rows, options);
}

/** Direct messages between two users, newest first; only those two may read them. */
export async function directHistory(options: { prisma: PrismaClient; username: string; other: string } & Page): Promise<ChatMessageView[]> {
  const { id, ...rest } = pageQuery(options);
  const rows = await options.prisma.chatMessage.findMany({
    where: {
      type: "USER",
      deletedAt: null,
      OR: [
        { username: options.username, target: options.other },
        { username: options.other, target: options.username },
      ],
      id,
    },
    ...rest,
  });
  return newestFirst(rows, options);
}
