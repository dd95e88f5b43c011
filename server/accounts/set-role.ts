import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import type { Role } from "./schemas";
import { toPublicUser, type PublicUser } from "./public-user";

export async function setRole(options: { prisma: PrismaClient; username: string; role: Role }): Promise<PublicUser> {
  const existing = await options.prisma.user.findUnique({ where: { username: options.username } });
  if (!existing) throw new AppError("NOT_FOUND", `No user named ${options.username}`);
  const user = await options.prisma.user.update({ where: { id: existing.id }, data: { role: options.role } });
  return toPublicUser(user);
}
