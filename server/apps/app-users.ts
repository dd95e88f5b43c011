// What canopy.users.get gives an app: a user's public profile, what anyone sees beside their chat
// messages (id, username, display name). The role only with "users:read-roles", a permission the
// reviewer approved; when an account was made is never an app's to read.
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import type { Permission } from "./manifest";

export async function readUserForApp(options: { prisma: PrismaClient; username: string; permissions: readonly Permission[] }) {
  // The app host checks this too; an app that got past its host still has only its own permissions here.
  if (!options.permissions.includes("users")) throw new AppError("FORBIDDEN", 'canopy.users needs "users" in app.json\'s permissions');
  const user = await options.prisma.user.findUnique({ where: { username: options.username }, select: { id: true, username: true, displayName: true, role: true } });
  if (!user) return null;
  const profile = { id: user.id, username: user.username, displayName: user.displayName };
  return options.permissions.includes("users:read-roles") ? { ...profile, role: user.role } : profile;
}
