import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { isUniqueViolation } from "../db/errors";
import { AppError, parseInput } from "../errors";
import { bundleLimits } from "./bundle";
import { decodeFileInput, fileInputSchema, sha256Of, type FileInput } from "./file-content";
import { appIdSchema } from "./manifest";

/**
 * Creates an app owned by the caller with its first files (a template's, or an imported
 * bundle's), each recorded as the first revision. A member who creates an app becomes a developer.
 */
export async function createApp(options: {
  prisma: PrismaClient;
  caller: Caller | null;
  id: string;
  name: string;
  description?: string;
  files: FileInput[];
  message?: string;
}) {
  const { prisma, caller } = options;
  if (!caller) throw new AppError("UNAUTHORIZED", "Sign in first");
  const id = parseInput(appIdSchema, options.id, "app id");
  const name = options.name.trim();
  if (!name || name.length > 80) throw new AppError("BAD_REQUEST", "Name the app (at most 80 characters)");
  if (options.files.length > bundleLimits.maxFiles) throw new AppError("BAD_REQUEST", `An app holds at most ${bundleLimits.maxFiles} files`);
  const files = options.files.map((input) => {
    const file = parseInput(fileInputSchema, input, "file");
    return { path: file.path, content: decodeFileInput(file) };
  });
  if (new Set(files.map((file) => file.path)).size !== files.length) throw new AppError("BAD_REQUEST", "Two files have the same path");
  if (await prisma.app.findUnique({ where: { id }, select: { id: true } })) throw new AppError("CONFLICT", `An app named ${id} already exists`);

  try {
    return await insertApp({ prisma, caller, id, name, description: options.description, message: options.message, files });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `An app named ${id} already exists`);
    throw error;
  }
}

function insertApp(options: { prisma: PrismaClient; caller: Caller; id: string; name: string; description?: string; message?: string; files: { path: string; content: Buffer }[] }) {
  const { caller, id, files } = options;
  return options.prisma.$transaction(async (tx) => {
    const app = await tx.app.create({ data: { id, ownerId: caller.userId, name: options.name, description: options.description?.slice(0, 2000) ?? "", draftVersion: files.length ? 1 : 0 } });
    for (const file of files) {
      const sha256 = sha256Of(file.content);
      const revision = await tx.appFileRevision.create({
        data: { appId: id, path: file.path, content: new Uint8Array(file.content), sha256, authorId: caller.userId, message: options.message ?? "Created the app", draftVersion: app.draftVersion },
      });
      await tx.appFile.create({ data: { appId: id, path: file.path, content: new Uint8Array(file.content), sha256, revisionId: revision.id } });
    }
    await tx.user.updateMany({ where: { id: caller.userId, role: "MEMBER" }, data: { role: "DEVELOPER" } });
    return app;
  });
}
