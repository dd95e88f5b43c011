// ZIP export and import of an app's draft. Import checks every entry before it decompresses it
// (path, declared size, count, total) so a bad or hostile archive is refused with a clear error
// and creates nothing.
import { strToU8, unzipSync, zipSync, type Unzipped } from "fflate";
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { loadEditableApp } from "./app-access";
import { bundleLimits, filePathSchema } from "./bundle";
import { createApp } from "./create-app";
import { isText } from "./file-content";
import { readDraftFiles } from "./read-app-files";

/** Files archivers add that are no part of an app. */
const ignoredEntry = /(?:^|\/)(?:__MACOSX\/|\.DS_Store$|Thumbs\.db$)/;

export async function exportAppZip(options: { prisma: PrismaClient; caller: Caller | null; appId: string }): Promise<{ fileName: string; base64: string }> {
  const app = await loadEditableApp(options);
  const files = await readDraftFiles({ prisma: options.prisma, appId: app.id });
  const entries: Record<string, Uint8Array> = {};
  for (const file of files) entries[`${app.id}/${file.path}`] = new Uint8Array(file.content);
  if (!files.length) entries[`${app.id}/`] = strToU8("");
  const zip = zipSync(entries, { level: 6, mtime: new Date() });
  return { fileName: `${app.id}.zip`, base64: Buffer.from(zip).toString("base64") };
}

/** The files in a ZIP, with one shared top folder (how most archivers pack a folder) removed. */
export function filesFromZip(zip: Uint8Array): { path: string; content: Buffer }[] {
  let entryCount = 0;
  let declaredTotal = 0;
  let unzipped: Unzipped;
  try {
    unzipped = unzipSync(zip, {
      filter(entry) {
        if (entry.name.endsWith("/") || ignoredEntry.test(entry.name)) return false;
        entryCount += 1;
        declaredTotal += entry.originalSize;
        if (entryCount > bundleLimits.maxFiles) throw new AppError("BAD_REQUEST", `The ZIP holds more than ${bundleLimits.maxFiles} files`);
        if (entry.originalSize > bundleLimits.maxFileBytes) throw new AppError("BAD_REQUEST", `${entry.name} is larger than ${bundleLimits.maxFileBytes} bytes`);
        if (declaredTotal > bundleLimits.maxBundleBytes) throw new AppError("BAD_REQUEST", `The ZIP unpacks to more than ${bundleLimits.maxBundleBytes} bytes`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("BAD_REQUEST", "Not a readable ZIP file");
  }
  const names = Object.keys(unzipped);
  if (!names.length) throw new AppError("BAD_REQUEST", "The ZIP is empty");
  const top = names[0]!.includes("/") ? names[0]!.slice(0, names[0]!.indexOf("/") + 1) : "";
  const prefix = top && names.every((name) => name.startsWith(top)) ? top : "";
  const files = names.map((name) => {
    const path = name.slice(prefix.length);
    const parsed = filePathSchema.safeParse(path);
    if (!parsed.success) throw new AppError("BAD_REQUEST", `${name}: ${parsed.error.issues[0]?.message ?? "invalid path"}`);
    const content = Buffer.from(unzipped[name]!);
    // The declared size can lie; what was unpacked cannot.
    if (content.length > bundleLimits.maxFileBytes) throw new AppError("BAD_REQUEST", `${name} is larger than ${bundleLimits.maxFileBytes} bytes`);
    return { path, content };
  });
  if (!files.some((file) => file.path === "app.json")) throw new AppError("BAD_REQUEST", "The ZIP has no app.json (at its top or in one top folder)");
  return files;
}

/** Creates a new app from an exported (or hand-made) ZIP. */
export async function importAppZip(options: { prisma: PrismaClient; caller: Caller | null; id: string; name?: string; zipBase64: string }) {
  const files = filesFromZip(new Uint8Array(Buffer.from(options.zipBase64, "base64")));
  const manifestName = manifestNameOf(files.find((file) => file.path === "app.json")!.content);
  return createApp({
    prisma: options.prisma,
    caller: options.caller,
    id: options.id,
    name: options.name?.trim() || manifestName || options.id,
    message: "Imported from a ZIP",
    files: files.map((file) =>
      isText(file.content) ? { path: file.path, encoding: "utf8", content: file.content.toString("utf8") } : { path: file.path, encoding: "base64", content: file.content.toString("base64") },
    ),
  });
}

function manifestNameOf(content: Buffer): string | undefined {
  try {
    const name = (JSON.parse(content.toString("utf8")) as { name?: unknown }).name;
    return typeof name === "string" && name.trim() ? name.trim().slice(0, 80) : undefined;
  } catch {
    // An invalid app.json is imported as it is; the editor shows its diagnostics.
    return undefined;
  }
}
