import type { PrismaClient } from "../db/generated/client";
import type { Caller } from "../auth/caller";
import { AppError } from "../errors";
import { findChannel } from "./find-channel";
import { canModerate } from "./moderation-rights";

/** The channel, when the caller may moderate it (staff, its owner). */
export async function moderatedChannel(prisma: PrismaClient, caller: Caller, channelName: string) {
  const channel = await findChannel({ prisma, name: channelName });
  if (!channel) throw new AppError("NOT_FOUND", `No channel #${channelName}`);
  if (!canModerate(caller, channel)) throw new AppError("FORBIDDEN", "Only staff and the channel owner moderate this channel");
  return channel;
}

/**
 * Bans (no duration) or times out (duration in seconds) a user in a channel. Moderators cannot
 * restrict themselves, the channel owner, or staff.
 */
export async function restrictUser(options: {
  prisma: PrismaClient;
  caller: Caller;
  channel: string;
  username: string;
  durationSeconds?: number;
  reason?: string;
}): Promise<{ channel: string; username: string; expiresAt: Date | null; channelId: string; userId: string }> {
  const channel = await moderatedChannel(options.prisma, options.caller, options.channel);
  const user = await options.prisma.user.findUnique({ where: { username: options.username } });
  if (!user) throw new AppError("NOT_FOUND", `No user named ${options.username}`);
  if (user.id === channel.ownerId || user.role === "STAFF" || user.id === options.caller.userId) {
    throw new AppError("FORBIDDEN", `${user.username} cannot be restricted in #${channel.name}`);
  }
  const expiresAt = options.durationSeconds ? new Date(Date.now() + options.durationSeconds * 1000) : null;
  const data = { expiresAt, reason: options.reason ?? null, createdById: options.caller.userId };
  await options.prisma.channelBan.upsert({
    where: { channelId_userId: { channelId: channel.id, userId: user.id } },
    create: { channelId: channel.id, userId: user.id, ...data },
    update: data,
  });
  return { channel: channel.name, username: user.username, expiresAt, channelId: channel.id, userId: user.id };
}

export async function liftRestriction(options: {
  prisma: PrismaClient;
  caller: Caller;
  channel: string;
  username: string;
}): Promise<{ channelId: string; userId: string }> {
  const channel = await moderatedChannel(options.prisma, options.caller, options.channel);
  const user = await options.prisma.user.findUnique({ where: { username: options.username }, select: { id: true } });
  if (!user) throw new AppError("NOT_FOUND", `No user named ${options.username}`);
  await options.prisma.channelBan.deleteMany({ where: { channelId: channel.id, userId: user.id } });
  return { channelId: channel.id, userId: user.id };
}

export async function listRestrictions(options: { prisma: PrismaClient; caller: Caller; channel: string }) {
  const channel = await moderatedChannel(options.prisma, options.caller, options.channel);
  const bans = await options.prisma.channelBan.findMany({
    where: { channelId: channel.id, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    include: { user: { select: { username: true } } },
    orderBy: { createdAt: "desc" },
  });
  return bans.map((ban) => ({ username: ban.user.username, expiresAt: ban.expiresAt, reason: ban.reason, createdAt: ban.createdAt }));
}

export async function updateChannelSettings(options: {
  prisma: PrismaClient;
  caller: Caller;
  channel: string;
  slowModeSeconds?: number;
  chatDisabled?: boolean;
}): Promise<{ name: string; slowModeSeconds: number; chatDisabled: boolean }> {
  const channel = await moderatedChannel(options.prisma, options.caller, options.channel);
  const updated = await options.prisma.channel.update({
    where: { id: channel.id },
    data: { slowModeSeconds: options.slowModeSeconds, chatDisabled: options.chatDisabled },
  });
  return { name: updated.name, slowModeSeconds: updated.slowModeSeconds, chatDisabled: updated.chatDisabled };
}
