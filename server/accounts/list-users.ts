import type { PrismaClient } from "../db/generated/client";
import { toPublicUser, type PublicUser } from "./public-user";

export async function listUsers(options: { prisma: PrismaClient; search?: string; limit?: number }): Promise<PublicUser[]> {
  const users = await options.prisma.user.findMany({
    where: options.search ? { username: { contains: options.search.toLowerCase() } } : undefined,
    orderBy: { username: "asc" },
    take: options.limit ?? 100,
  });
  return users.map(toPublicUser);
}
