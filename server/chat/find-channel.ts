import type { Channel, PrismaClient } from "../db/generated/client";

/**
 * The channel of this name. A member's own channel is created the first time anyone asks for
 * it, so every account has one without a write at sign-up.
 */
export async function findChannel(options: { prisma: PrismaClient; name: string }): Promise<Channel | null> {
  const channel = await options.prisma.channel.findUnique({ where: { name: options.name } });
  if (channel) return channel;
  const owner = await options.prisma.user.findUnique({ where: { username: options.name }, select: { id: true } });
  if (!owner) return null;
  return options.prisma.channel.upsert({
    where: { name: options.name },
    create: { name: options.name, ownerId: owner.id },
    update: {},
  });
}
