// Who may do what to an app: its owner edits it; staff may read and operate every app.
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { hasRole } from "../accounts/schemas";
import { AppError } from "../errors";

export function canEditApp(caller: Caller | null, app: { ownerId: string }): boolean {
  return !!caller && (caller.userId === app.ownerId || hasRole(caller.role, "STAFF"));
}

/** The app, when the caller may edit it; NOT_FOUND hides apps the caller may not see. */
export async function loadEditableApp(options: { prisma: PrismaClient; caller: Caller | null; appId: string }) {
  if (!options.caller) throw new AppError("UNAUTHORIZED", "Sign in first");
  const app = await options.prisma.app.findUnique({ where: { id: options.appId } });
  if (!app || !canEditApp(options.caller, app)) throw new AppError("NOT_FOUND", `No app named ${options.appId}`);
  return app;
}
