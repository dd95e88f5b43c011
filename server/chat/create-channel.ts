import type { PrismaClient } from "../db/generated/client";
import { isUniqueViolation } from "../db/errors";
import { AppError } from "../errors";

/** Staff (or the privileged REST API) create channels that belong to no member. */
export async function createChannel(options: { prisma: PrismaClient; name: string }): Promise<{ name: string }> {
  const ownerName = await options.prisma.user.findUnique({ where: { username: options.name }, select: { id: true } });
  if (ownerName) throw new AppError("CONFLICT", `#${options.name} is a member's own channel`);
  try {
    const channel = await options.prisma.channel.create({ data: { name: options.name } });
    return { name: channel.name };
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `#${options.name} already exists`);
    throw error;
  }
}
