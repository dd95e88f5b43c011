import type { PrismaClient } from "../db/generated/client";

export async function listTokens(options: { prisma: PrismaClient; userId: string }) {
  return options.prisma.apiToken.findMany({
    where: { userId: options.userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}
