// Reading the draft: the file list (without contents), one file, or all files as a bundle.
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { loadEditableApp } from "./app-access";
import { filesToBundle, type DraftFile, type StoredBundle } from "./bundle";
import { viewOf } from "./file-content";

export async function listAppFiles(options: { prisma: PrismaClient; caller: Caller | null; appId: string }) {
  const app = await loadEditableApp(options);
  const files = await options.prisma.appFile.findMany({
    where: { appId: app.id },
    orderBy: { path: "asc" },
    select: { path: true, sha256: true, revisionId: true, updatedAt: true, content: true },
  });
  return {
    draftVersion: app.draftVersion,
    files: files.map((file) => ({ path: file.path, sha256: file.sha256, size: file.content.length, revisionId: file.revisionId, updatedAt: file.updatedAt })),
  };
}

export async function readAppFile(options: { prisma: PrismaClient; caller: Caller | null; appId: string; path: string }) {
  const app = await loadEditableApp(options);
  const file = await options.prisma.appFile.findUnique({ where: { appId_path: { appId: app.id, path: options.path } } });
  if (!file) throw new AppError("NOT_FOUND", `No file ${options.path}`);
  return { path: file.path, sha256: file.sha256, revisionId: file.revisionId, draftVersion: app.draftVersion, ...viewOf(Buffer.from(file.content)) };
}

/** Every draft file, for a snapshot (deployment, preview, export). Access is the caller's business. */
export async function readDraftFiles(options: { prisma: PrismaClient; appId: string }): Promise<DraftFile[]> {
  const files = await options.prisma.appFile.findMany({ where: { appId: options.appId }, orderBy: { path: "asc" } });
  return files.map((file) => ({ path: file.path, content: Buffer.from(file.content) }));
}

export async function readDraftBundle(options: { prisma: PrismaClient; appId: string }): Promise<StoredBundle> {
  return filesToBundle(await readDraftFiles(options));
}
