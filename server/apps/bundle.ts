// A bundle is what a deployment snapshots: CCF's `{metadata, modules}` (app.json and the modules
// under src/, named relative to src/ as CCF names them) plus Canopy's public files (pages, assets,
// README). The draft's file tree and the bundle convert both ways; validation names the file,
// line and field of every problem.
import { createHash } from "node:crypto";
import { z } from "zod";
import { appManifestSchema, normalizeEndpoints, type AppManifest } from "./manifest";

export const bundleLimits = {
  maxFiles: 500,
  maxFileBytes: 2 * 1024 * 1024,
  maxBundleBytes: 10 * 1024 * 1024,
};

/** A path in the draft's file tree: relative, "/"-separated, no "." or ".." segments. */
export const filePathSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))(?!.*\/\/)[A-Za-z0-9_@.+ -][A-Za-z0-9_@.+/ -]*$/, "File paths are relative, with letters, digits, _ @ . + - and / only")
  .refine((path) => !path.endsWith("/"), "A file path cannot end with /");

export const moduleExtensions = [".js", ".mjs", ".ts", ".mts"];
export const sourceDir = "src/";

export type DraftFile = { path: string; content: Buffer };
export type CcfModule = { name: string; module: string };
export type StoredBundle = {
  /** app.json as written (CCF's `metadata`). */
  metadata: unknown;
  modules: CcfModule[];
  /** Everything else: pages, assets, README.md. */
  files: { path: string; base64: string }[];
};

export const storedBundleSchema = z.object({
  metadata: z.unknown(),
  modules: z.array(z.object({ name: z.string().min(1).max(200), module: z.string() })).max(bundleLimits.maxFiles),
  files: z.array(z.object({ path: filePathSchema, base64: z.string() })).max(bundleLimits.maxFiles).default([]),
});

export type BundleIssue = { file: string; line?: number; field?: string; message: string };

/** "src/app.ts:3 (endpoints./x.get.js_module): message": where, then what. */
export function describeBundleIssue(issue: BundleIssue): string {
  return `${issue.file}${issue.line ? `:${issue.line}` : ""}${issue.field ? ` (${issue.field})` : ""}: ${issue.message}`;
}

export function isModulePath(path: string): boolean {
  return path.startsWith(sourceDir) && moduleExtensions.some((extension) => path.endsWith(extension));
}

export function filesToBundle(files: DraftFile[]): StoredBundle {
  const appJson = files.find((file) => file.path === "app.json");
  let metadata: unknown = undefined;
  if (appJson) {
    try {
      metadata = JSON.parse(appJson.content.toString("utf8"));
    } catch {
      metadata = appJson.content.toString("utf8");
    }
  }
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  return {
    metadata,
    modules: sorted.filter((file) => isModulePath(file.path)).map((file) => ({ name: file.path.slice(sourceDir.length), module: file.content.toString("utf8") })),
    files: sorted
      .filter((file) => file.path !== "app.json" && !isModulePath(file.path))
      .map((file) => ({ path: file.path, base64: file.content.toString("base64") })),
  };
}

export function bundleToFiles(bundle: StoredBundle): DraftFile[] {
  return [
    { path: "app.json", content: Buffer.from(`${JSON.stringify(bundle.metadata ?? {}, null, 2)}\n`) },
    ...bundle.modules.map((module) => ({ path: `${sourceDir}${module.name}`, content: Buffer.from(module.module) })),
    ...bundle.files.map((file) => ({ path: file.path, content: Buffer.from(file.base64, "base64") })),
  ];
}

/** sha256 of the bundle in a canonical form: same content, same hash, whatever the order. */
export function bundleHash(bundle: StoredBundle): string {
  const hash = createHash("sha256");
  hash.update(canonicalJson(bundle.metadata ?? null));
  for (const module of [...bundle.modules].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`\0module\0${module.name}\0${module.module}`);
  }
  for (const file of [...bundle.files].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`\0file\0${file.path}\0${file.base64}`);
  }
  return hash.digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Parses app.json (text as written, for line numbers) against the manifest schema. Returns the
 * manifest when valid, and every issue with its line.
 */
export function validateManifestText(text: string): { manifest?: AppManifest; issues: BundleIssue[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { issues: [{ file: "app.json", line: lineOfJsonError(text, message), message: `Invalid JSON: ${message}` }] };
  }
  const result = appManifestSchema.safeParse(parsed);
  if (result.success) return { manifest: result.data, issues: [] };
  return {
    issues: result.error.issues.map((issue) => {
      const field = issue.path.map(String).join(".");
      return { file: "app.json", field: field || undefined, line: lineOfField(text, issue.path.map(String)), message: issue.message };
    }),
  };
}

/** Everything that makes a bundle undeployable: manifest, references between files, sizes. */
export function validateBundle(
  bundle: StoredBundle,
  /** app.json as the developer wrote it, so lines point into their file. */
  manifestText?: string,
): { manifest?: AppManifest; issues: BundleIssue[] } {
  const issues: BundleIssue[] = [];
  const metadataText = manifestText ?? (typeof bundle.metadata === "string" ? bundle.metadata : JSON.stringify(bundle.metadata ?? {}, null, 2));
  if (bundle.metadata === undefined) issues.push({ file: "app.json", message: "The bundle has no app.json" });
  const { manifest, issues: manifestIssues } = validateManifestText(metadataText);
  issues.push(...manifestIssues);

  let total = 0;
  const seen = new Set<string>();
  for (const module of bundle.modules) {
    const bytes = Buffer.byteLength(module.module);
    total += bytes;
    if (seen.has(module.name)) issues.push({ file: `${sourceDir}${module.name}`, message: "Duplicate module" });
    seen.add(module.name);
    if (!moduleExtensions.some((extension) => module.name.endsWith(extension)) || !filePathSchema.safeParse(`${sourceDir}${module.name}`).success) {
      issues.push({ file: `${sourceDir}${module.name}`, message: "Module names are relative .js or .ts paths" });
    }
    if (bytes > bundleLimits.maxFileBytes) issues.push({ file: `${sourceDir}${module.name}`, message: `Module is larger than ${bundleLimits.maxFileBytes} bytes` });
  }
  for (const file of bundle.files) {
    const bytes = Math.floor((file.base64.length * 3) / 4);
    total += bytes;
    if (bytes > bundleLimits.maxFileBytes) issues.push({ file: file.path, message: `File is larger than ${bundleLimits.maxFileBytes} bytes` });
  }
  if (bundle.modules.length + bundle.files.length + 1 > bundleLimits.maxFiles) issues.push({ file: "app.json", message: `A bundle holds at most ${bundleLimits.maxFiles} files` });
  if (total > bundleLimits.maxBundleBytes) issues.push({ file: "app.json", message: `The bundle is larger than ${bundleLimits.maxBundleBytes} bytes` });

  if (manifest) {
    const fileNames = new Set(bundle.files.map((file) => file.path));
    const line = (path: string[]) => lineOfField(metadataText, path);
    if (manifest.main && !seen.has(manifest.main)) {
      issues.push({ file: "app.json", field: "main", line: line(["main"]), message: `Module ${sourceDir}${manifest.main} does not exist` });
    }
    for (const [path, methods] of Object.entries(normalizeEndpoints(manifest.endpoints))) {
      for (const [method, endpoint] of Object.entries(methods)) {
        if (endpoint && !seen.has(endpoint.js_module)) {
          issues.push({
            file: "app.json",
            field: `endpoints.${path}.${method}.js_module`,
            line: line(["endpoints", path]),
            message: `Module ${sourceDir}${endpoint.js_module} does not exist`,
          });
        }
      }
    }
    for (const [id, page] of Object.entries(manifest.pages)) {
      if (!fileNames.has(page.file)) issues.push({ file: "app.json", field: `pages.${id}.file`, line: line(["pages", id]), message: `Page file ${page.file} does not exist` });
    }
  }
  return { manifest: issues.length ? undefined : manifest, issues };
}

/** 1-based line of the innermost key of `path` that can be found in the JSON text. */
export function lineOfField(text: string, path: string[]): number | undefined {
  let from = 0;
  let found: number | undefined;
  for (const segment of path) {
    if (/^\d+$/.test(segment)) continue;
    const index = text.indexOf(JSON.stringify(segment), from);
    if (index < 0) break;
    from = index;
    found = index;
  }
  return found === undefined ? (path.length ? 1 : undefined) : text.slice(0, found).split("\n").length;
}

function lineOfJsonError(text: string, message: string): number | undefined {
  const line = /line (\d+)/.exec(message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(message);
  if (position) return text.slice(0, Number(position[1])).split("\n").length;
  return undefined;
}
