// A draft's history: every revision of one path (or of the whole app), and any revision's content.
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { loadEditableApp } from "./app-access";
import { viewOf } from "./file-content";

export async function listFileRevisions(options: { prisma: PrismaClient; caller: Caller | null; appId: string; path?: string; beforeId?: number; limit?: number }) {
  const app = await loadEditableApp(options);
  const revisions = await options.prisma.appFileRevision.findMany({
    where: { appId: app.id, ...(options.path ? { path: options.path } : {}), ...(options.beforeId ? { id: { lt: options.beforeId } } : {}) },
    orderBy: { id: "desc" },
    take: Math.min(Math.max(options.limit ?? 50, 1), 200),
    select: { id: true, path: true, sha256: true, renamedFrom: true, authorId: true, message: true, draftVersion: true, createdAt: true },
  });
  const authorIds = [...new Set(revisions.flatMap((revision) => (revision.authorId ? [revision.authorId] : [])))];
  const authors = await options.prisma.user.findMany({ where: { id: { in: authorIds } }, select: { id: true, username: true, displayName: true } });
  const byId = new Map(authors.map((author) => [author.id, author]));
  return revisions.map((revision) => ({
    ...revision,
    deleted: revision.sha256 === null,
    author: revision.authorId ? (byId.get(revision.authorId) ?? null) : null,
  }));
}

export async function readFileRevision(options: { prisma: PrismaClient; caller: Caller | null; appId: string; revisionId: number }) {
  const app = await loadEditableApp(options);
  const revision = await options.prisma.appFileRevision.findFirst({ where: { id: options.revisionId, appId: app.id } });
  if (!revision) throw new AppError("NOT_FOUND", `No revision ${options.revisionId}`);
  return {
    id: revision.id,
    path: revision.path,
    message: revision.message,
    createdAt: revision.createdAt,
    deleted: revision.content === null,
    ...(revision.content ? viewOf(Buffer.from(revision.content)) : { encoding: "utf8" as const, content: "" }),
  };
}
