import type { PrismaClient } from "../db/generated/client";
import type { Caller } from "../auth/caller";
import { AppError } from "../errors";
import { canModerate } from "./moderation-rights";

/** Staff or the channel's owner delete a channel message; it is never served again. */
export async function deleteMessage(options: { prisma: PrismaClient; caller: Caller; messageId: number }): Promise<{ id: number; channel: string }> {
  const message = await options.prisma.chatMessage.findUnique({ where: { id: options.messageId }, include: { channel: true } });
  if (!message || message.deletedAt || !message.channel) throw new AppError("NOT_FOUND", "No such message");
  if (!canModerate(options.caller, message.channel)) throw new AppError("FORBIDDEN", "Only staff and the channel owner delete messages");
  await options.prisma.chatMessage.update({ where: { id: message.id }, data: { deletedAt: new Date() } });
  return { id: message.id, channel: message.channel.name };
}
