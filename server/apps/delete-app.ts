import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { loadEditableApp } from "./app-access";

/** Deletes an app with its files, history, deployments and KV; the caller stops its runtime. */
export async function deleteApp(options: { prisma: PrismaClient; caller: Caller | null; appId: string; confirmId: string }) {
  const app = await loadEditableApp(options);
  if (options.confirmId !== app.id) throw new AppError("BAD_REQUEST", `Type the app's id (${app.id}) to confirm`);
  await options.prisma.app.delete({ where: { id: app.id } });
  return { id: app.id };
}
