// Notifications: stored per user (the list) and pushed live on the /apps namespace.
import type { Server as SocketServer } from "socket.io";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { userRoom, type AppNotificationEvent, type AppsServerToClientEvents, type ProposalProgressEvent } from "../apps/events";

export type ReviewNotifier = {
  notification(userId: string, event: AppNotificationEvent): void;
  progress(userIds: string[], event: ProposalProgressEvent): void;
};

export function createSocketReviewNotifier(io: SocketServer): ReviewNotifier {
  const apps = () => io.of("/apps") as unknown as { to(room: string | string[]): { emit<E extends keyof AppsServerToClientEvents>(event: E, ...args: Parameters<AppsServerToClientEvents[E]>): void } };
  return {
    notification: (userId, event) => apps().to(userRoom(userId)).emit("notification", event),
    progress: (userIds, event) => {
      if (userIds.length) apps().to(userIds.map(userRoom)).emit("proposal:progress", event);
    },
  };
}

export async function notifyUsers(options: {
  prisma: PrismaClient;
  notifier: ReviewNotifier;
  userIds: string[];
  kind: string;
  appId: string;
  proposalId?: string;
  state: string;
  message: string;
}): Promise<void> {
  for (const userId of new Set(options.userIds)) {
    const row = await options.prisma.notification.create({
      data: { userId, kind: options.kind, appId: options.appId, proposalId: options.proposalId ?? null, state: options.state, message: options.message },
    });
    options.notifier.notification(userId, {
      id: row.id,
      kind: row.kind,
      appId: row.appId,
      proposalId: row.proposalId ?? undefined,
      state: row.state,
      message: row.message,
      at: row.createdAt.getTime(),
    });
  }
}

/** Staff user ids: they hear about new proposals and see deploy progress. */
export async function staffUserIds(prisma: PrismaClient): Promise<string[]> {
  const staff = await prisma.user.findMany({ where: { role: "STAFF" }, select: { id: true } });
  return staff.map((user) => user.id);
}

export async function listNotifications(options: { prisma: PrismaClient; userId: string; before?: number; limit: number }) {
  const rows = await options.prisma.notification.findMany({
    where: { userId: options.userId, ...(options.before ? { id: { lt: options.before } } : {}) },
    orderBy: { id: "desc" },
    take: options.limit + 1,
  });
  const unread = await countUnreadNotifications(options);
  const items = rows.slice(0, options.limit);
  return { items, unread, nextBefore: rows.length > options.limit ? items[items.length - 1]!.id : null };
}

export function countUnreadNotifications(options: { prisma: PrismaClient; userId: string }): Promise<number> {
  return options.prisma.notification.count({ where: { userId: options.userId, readAt: null } });
}

/** Marks the given notifications (or all when none given) of the user as read. */
export async function markNotificationsRead(options: { prisma: PrismaClient; userId: string; ids?: number[] }) {
  if (options.ids && options.ids.length === 0) throw new AppError("BAD_REQUEST", "Name at least one notification");
  const result = await options.prisma.notification.updateMany({
    where: { userId: options.userId, readAt: null, ...(options.ids ? { id: { in: options.ids } } : {}) },
    data: { readAt: new Date() },
  });
  return { marked: result.count };
}
