import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { loadEditableApp } from "./app-access";
import { filesToBundle, validateBundle } from "./bundle";
import { readDraftFiles } from "./read-app-files";

/** What would stop the draft from deploying, each issue with its file, line and field. */
export async function validateDraft(options: { prisma: PrismaClient; caller: Caller | null; appId: string }) {
  const app = await loadEditableApp(options);
  const files = await readDraftFiles({ prisma: options.prisma, appId: app.id });
  const manifestText = files.find((file) => file.path === "app.json")?.content.toString("utf8");
  const { manifest, issues } = validateBundle(filesToBundle(files), manifestText);
  return { valid: issues.length === 0, draftVersion: app.draftVersion, issues, permissions: manifest?.permissions ?? [] };
}
