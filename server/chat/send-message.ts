import type { PrismaClient } from "../db/generated/client";
import type { Caller } from "../auth/caller";
import { AppError } from "../errors";
import { colorFor } from "./colors";
import type { ChatLookups } from "./chat-lookups";
import { toMessageView } from "./message-view";
import { canModerate } from "./moderation-rights";
import type { RateLimiter } from "./rate-limiter";
import type { ChatMessageView, MessagePayload } from "./schemas";

export type ChatLimits = { maxLength: number; rateLimitMessages: number; rateLimitWindowMs: number };

/**
 * Checks and stores one message; the caller broadcasts what this returns. Storing first means
 * nobody ever receives a message that history would not show.
 */
export async function sendMessage(options: {
  prisma: PrismaClient;
  lookups: ChatLookups;
  rateLimiter: RateLimiter;
  limits: ChatLimits;
  caller: Caller | null;
  message: MessagePayload;
  /** For channel messages: whether this connection has joined the channel. */
  joinedChannel?: boolean;
}): Promise<ChatMessageView> {
  const { prisma, caller, message, limits } = options;
  if (!caller) throw new AppError("UNAUTHORIZED", "Sign in to chat; guests can read only");
  const text = message.text.trim();
  if (!text) throw new AppError("BAD_REQUEST", "Message is empty");
  if (text.length > limits.maxLength) throw new AppError("BAD_REQUEST", `Message is longer than ${limits.maxLength} characters`);

  const base = { authorId: caller.userId, username: caller.username, displayName: caller.displayName, color: colorFor(caller.username), text };

  if (message.type === "user") {
    if (message.target === caller.username) throw new AppError("BAD_REQUEST", "You cannot message yourself");
    const recipient = await prisma.user.findUnique({ where: { username: message.target }, select: { id: true } });
    if (!recipient) throw new AppError("NOT_FOUND", `No user named ${message.target}`);
    await limitRate(options.rateLimiter, caller, limits);
    return toMessageView(await prisma.chatMessage.create({ data: { ...base, type: "USER", target: message.target } }));
  }

  const channel = await options.lookups.channel(message.target);
  if (!channel) throw new AppError("NOT_FOUND", `No channel #${message.target}`);
  if (!options.joinedChannel) throw new AppError("BAD_REQUEST", `Join #${channel.name} before sending to it`);
  const moderator = canModerate(caller, channel);
  if (!moderator) {
    if (channel.chatDisabled) throw new AppError("FORBIDDEN", `Chat is disabled in #${channel.name}`);
    const ban = await options.lookups.restriction(channel.id, caller.userId);
    if (ban && (!ban.expiresAt || ban.expiresAt > new Date())) {
      throw new AppError("FORBIDDEN", ban.expiresAt ? `You are timed out in #${channel.name} until ${ban.expiresAt.toISOString()}` : `You are banned from #${channel.name}`);
    }
    if (channel.slowModeSeconds > 0) {
      const waitMs = await options.rateLimiter.hit(`slow:${channel.id}:${caller.userId}`, 1, channel.slowModeSeconds * 1000);
      if (waitMs > 0) throw new AppError("TOO_MANY_REQUESTS", `Slow mode: wait ${Math.ceil(waitMs / 1000)} s`, { retryAfterMs: waitMs });
    }
  }
  await limitRate(options.rateLimiter, caller, limits);
  return toMessageView(await prisma.chatMessage.create({ data: { ...base, type: "CHANNEL", target: channel.name, channelId: channel.id } }));
}

async function limitRate(rateLimiter: RateLimiter, caller: Caller, limits: ChatLimits): Promise<void> {
  const waitMs = await rateLimiter.hit(`chat:${caller.userId}`, limits.rateLimitMessages, limits.rateLimitWindowMs);
  if (waitMs > 0) throw new AppError("TOO_MANY_REQUESTS", `Too many messages: wait ${Math.ceil(waitMs / 1000)} s`, { retryAfterMs: waitMs });
}
