// Which apps a channel enabled (ChannelApp): there a deployed app hears the chat, may post system
// messages and may delete others' messages. The channel's owner and staff decide.
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { moderatedChannel } from "./restrict-user";

export type ChannelAppView = { appId: string; appName: string; enabledBy: string; enabledAt: number };

export async function enableChannelApp(options: { prisma: PrismaClient; caller: Caller; channel: string; appId: string }): Promise<{ channelId: string; app: ChannelAppView }> {
  const channel = await moderatedChannel(options.prisma, options.caller, options.channel);
  const app = await options.prisma.app.findUnique({ where: { id: options.appId }, select: { id: true, name: true } });
  if (!app) throw new AppError("NOT_FOUND", `No app named ${options.appId}`);
  // Enabling twice keeps the first record (who enabled it, and when).
  const row = await options.prisma.channelApp.upsert({
    where: { channelId_appId: { channelId: channel.id, appId: app.id } },
    create: { channelId: channel.id, appId: app.id, enabledBy: options.caller.userId },
    update: {},
  });
  return { channelId: channel.id, app: { appId: app.id, appName: app.name, enabledBy: row.enabledBy, enabledAt: row.createdAt.getTime() } };
}

export async function disableChannelApp(options: { prisma: PrismaClient; caller: Caller; channel: string; appId: string }): Promise<{ channelId: string; disabled: boolean }> {
  const channel = await moderatedChannel(options.prisma, options.caller, options.channel);
  const { count } = await options.prisma.channelApp.deleteMany({ where: { channelId: channel.id, appId: options.appId } });
  return { channelId: channel.id, disabled: count > 0 };
}

export async function listChannelApps(options: { prisma: PrismaClient; caller: Caller; channel: string }): Promise<ChannelAppView[]> {
  const channel = await moderatedChannel(options.prisma, options.caller, options.channel);
  const rows = await options.prisma.channelApp.findMany({ where: { channelId: channel.id }, include: { app: { select: { name: true } } }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => ({ appId: row.appId, appName: row.app.name, enabledBy: row.enabledBy, enabledAt: row.createdAt.getTime() }));
}
