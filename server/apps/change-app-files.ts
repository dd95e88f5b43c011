// Every change to a draft (write, delete, rename) is a revision with author and message, and moves
// the app's draftVersion on by one. An editor passes the draftVersion it last saw: if someone saved
// in between, the change is refused with the current contents so the editor can show a diff.
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError, parseInput } from "../errors";
import { bundleLimits, filePathSchema } from "./bundle";
import { loadEditableApp } from "./app-access";
import { decodeFileInput, fileInputSchema, sha256Of, viewOf } from "./file-content";
import { z } from "zod";

export const fileChangeSchema = z.discriminatedUnion("op", [
  fileInputSchema.extend({ op: z.literal("write") }),
  z.object({ op: z.literal("delete"), path: filePathSchema }).strict(),
  z.object({ op: z.literal("rename"), from: filePathSchema, to: filePathSchema }).strict(),
]);
export type FileChange = z.input<typeof fileChangeSchema>;

export type ChangeResult = { draftVersion: number; revisions: { id: number; path: string }[] };

export async function changeAppFiles(options: {
  prisma: PrismaClient;
  caller: Caller | null;
  appId: string;
  changes: FileChange[];
  message?: string;
  /** The draftVersion the editor last saw; omitted means "whatever is there now". */
  expectedDraftVersion?: number;
}): Promise<ChangeResult> {
  const { prisma, appId } = options;
  await loadEditableApp(options);
  const caller = options.caller!;
  const changes = options.changes.map((change) => parseInput(fileChangeSchema, change, "change"));
  if (!changes.length) throw new AppError("BAD_REQUEST", "Nothing to change");
  const message = (options.message ?? "").slice(0, 500);

  return prisma.$transaction(async (tx) => {
    const app = await tx.app.findUniqueOrThrow({ where: { id: appId } });
    if (options.expectedDraftVersion !== undefined && options.expectedDraftVersion !== app.draftVersion) {
      const paths = changes.flatMap((change) => (change.op === "rename" ? [change.from, change.to] : [change.path]));
      const current = await tx.appFile.findMany({ where: { appId, path: { in: paths } } });
      throw new AppError("CONFLICT", "The draft changed since you opened it; review the newer version before saving", {
        draftVersion: app.draftVersion,
        current: current.map((file) => ({ path: file.path, ...viewOf(Buffer.from(file.content)) })),
      });
    }
    const draftVersion = app.draftVersion + 1;
    const revisions: { id: number; path: string }[] = [];
    const record = async (path: string, content: Buffer | null, renamedFrom?: string) => {
      const revision = await tx.appFileRevision.create({
        data: { appId, path, content: content ? new Uint8Array(content) : null, sha256: content ? sha256Of(content) : null, renamedFrom, authorId: caller.userId, message, draftVersion },
      });
      revisions.push({ id: revision.id, path });
      return revision.id;
    };

    for (const change of changes) {
      if (change.op === "write") {
        const content = decodeFileInput(change);
        const sha256 = sha256Of(content);
        const existing = await tx.appFile.findUnique({ where: { appId_path: { appId, path: change.path } }, select: { sha256: true } });
        if (existing?.sha256 === sha256) continue;
        if (!existing && (await tx.appFile.count({ where: { appId } })) >= bundleLimits.maxFiles) {
          throw new AppError("BAD_REQUEST", `An app holds at most ${bundleLimits.maxFiles} files`);
        }
        const revisionId = await record(change.path, content);
        const data = { content: new Uint8Array(content), sha256, revisionId };
        await tx.appFile.upsert({ where: { appId_path: { appId, path: change.path } }, create: { appId, path: change.path, ...data }, update: data });
      } else if (change.op === "delete") {
        const existing = await tx.appFile.findUnique({ where: { appId_path: { appId, path: change.path } }, select: { path: true } });
        if (!existing) throw new AppError("NOT_FOUND", `No file ${change.path}`);
        await record(change.path, null);
        await tx.appFile.delete({ where: { appId_path: { appId, path: change.path } } });
      } else {
        if (change.from === change.to) continue;
        const source = await tx.appFile.findUnique({ where: { appId_path: { appId, path: change.from } } });
        if (!source) throw new AppError("NOT_FOUND", `No file ${change.from}`);
        if (await tx.appFile.findUnique({ where: { appId_path: { appId, path: change.to } }, select: { path: true } })) {
          throw new AppError("CONFLICT", `${change.to} already exists`);
        }
        const content = Buffer.from(source.content);
        await record(change.from, null);
        const revisionId = await record(change.to, content, change.from);
        await tx.appFile.delete({ where: { appId_path: { appId, path: change.from } } });
        await tx.appFile.create({ data: { appId, path: change.to, content: new Uint8Array(content), sha256: source.sha256, revisionId } });
      }
    }
    if (!revisions.length) return { draftVersion: app.draftVersion, revisions };
    await tx.app.update({ where: { id: appId }, data: { draftVersion } });
    return { draftVersion, revisions };
  });
}
