import type { PrismaClient } from "../db/generated/client";
import { toPublicUser, type PublicUser } from "./public-user";
import { assertNotReserved } from "./reserved-names";

export async function updateProfile(options: { prisma: PrismaClient; userId: string; displayName: string }): Promise<PublicUser> {
  assertNotReserved({ displayName: options.displayName });
  const user = await options.prisma.user.update({ where: { id: options.userId }, data: { displayName: options.displayName } });
  return toPublicUser(user);
}
