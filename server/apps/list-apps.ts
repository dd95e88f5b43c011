import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { hasRole } from "../accounts/schemas";
import { AppError } from "../errors";

const appSummarySelect = {
  id: true,
  name: true,
  description: true,
  ownerId: true,
  owner: { select: { username: true, displayName: true } },
  draftVersion: true,
  runState: true,
  suspendedReason: true,
  createdAt: true,
  updatedAt: true,
  activeDeployment: { select: { id: true, number: true, contentHash: true, createdAt: true } },
} as const;

/** The caller's own apps, or every app for staff who ask for all. */
export async function listApps(options: { prisma: PrismaClient; caller: Caller | null; scope: "mine" | "all" }) {
  const { caller } = options;
  if (!caller) throw new AppError("UNAUTHORIZED", "Sign in first");
  if (options.scope === "all" && !hasRole(caller.role, "STAFF")) throw new AppError("FORBIDDEN", "Only staff may list every app");
  return options.prisma.app.findMany({
    where: options.scope === "mine" ? { ownerId: caller.userId } : {},
    orderBy: { updatedAt: "desc" },
    select: appSummarySelect,
    take: 500,
  });
}

export async function getApp(options: { prisma: PrismaClient; caller: Caller | null; appId: string }) {
  const { caller } = options;
  if (!caller) throw new AppError("UNAUTHORIZED", "Sign in first");
  const app = await options.prisma.app.findUnique({ where: { id: options.appId }, select: appSummarySelect });
  if (!app || (app.ownerId !== caller.userId && !hasRole(caller.role, "STAFF"))) throw new AppError("NOT_FOUND", `No app named ${options.appId}`);
  return app;
}
