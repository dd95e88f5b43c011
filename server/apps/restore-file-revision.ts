import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { loadEditableApp } from "./app-access";
import { changeAppFiles } from "./change-app-files";

/**
 * Makes a file what it was at a revision. Restoring is itself a new revision (history is never
 * rewritten); restoring a deletion deletes the file.
 */
export async function restoreFileRevision(options: { prisma: PrismaClient; caller: Caller | null; appId: string; revisionId: number; expectedDraftVersion?: number }) {
  const app = await loadEditableApp(options);
  const revision = await options.prisma.appFileRevision.findFirst({ where: { id: options.revisionId, appId: app.id } });
  if (!revision) throw new AppError("NOT_FOUND", `No revision ${options.revisionId}`);
  const message = `Restored ${revision.path} to revision ${revision.id}`;
  if (revision.content === null) {
    return changeAppFiles({ ...options, message, changes: [{ op: "delete", path: revision.path }] });
  }
  const content = Buffer.from(revision.content).toString("base64");
  return changeAppFiles({ ...options, message, changes: [{ op: "write", path: revision.path, encoding: "base64", content }] });
}
