import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";

/** Revokes one of the caller's own tokens; someone else's token reads as not found. */
export async function revokeToken(options: { prisma: PrismaClient; userId: string; tokenId: string }) {
  const result = await options.prisma.apiToken.updateMany({
    where: { id: options.tokenId, userId: options.userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (result.count === 0) throw new AppError("NOT_FOUND", "No such active token");
}
