import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { colorFor } from "./colors";
import { findChannel } from "./find-channel";
import { toMessageView } from "./message-view";
import type { ChatMessageView } from "./schemas";

/**
 * Ting's privileged `POST /api/messages/<channel>`: a trusted service persists a message as
 * any username at a given time. It bypasses chat limits, so only the shared secret reaches it.
 */
export async function storePrivilegedMessage(options: {
  prisma: PrismaClient;
  channel: string;
  username: string;
  text: string;
  datetime?: number;
}): Promise<ChatMessageView> {
  const channel = await findChannel({ prisma: options.prisma, name: options.channel });
  if (!channel) throw new AppError("NOT_FOUND", `No channel #${options.channel}`);
  const author = await options.prisma.user.findUnique({ where: { username: options.username } });
  const message = await options.prisma.chatMessage.create({
    data: {
      type: "CHANNEL",
      target: channel.name,
      channelId: channel.id,
      authorId: author?.id ?? null,
      username: options.username,
      displayName: author?.displayName ?? options.username,
      color: colorFor(options.username),
      text: options.text,
      createdAt: options.datetime === undefined ? undefined : new Date(options.datetime),
    },
  });
  return toMessageView(message);
}
