// The automatic checks a reviewer sees on a proposal: bundle validation, size, permissions and
// declared origins that are new against the deployed version, and code patterns worth a closer look.
import { bundleLimits, describeBundleIssue, validateBundle, type StoredBundle } from "../apps/bundle";
import { appManifestSchema, type AppManifest, type Permission } from "../apps/manifest";
import { relaxableDirectives } from "../apps/pages/page-csp";
import type { OriginDeclaration } from "../apps/permission-scopes";

export type CheckResult = { id: string; title: string; status: "pass" | "warn" | "fail"; details: string[] };

/** Patterns that defeat review: code built from strings at run time, or reaching for globals indirectly. */
const riskyPatterns: { pattern: RegExp; message: string }[] = [
  { pattern: /\beval\s*\(/, message: "eval() runs code built at run time" },
  { pattern: /\bnew\s+Function\s*\(|\bFunction\s*\(\s*["'`]/, message: "Function constructor (dynamic code)" },
  { pattern: /\bset(?:Timeout|Interval)\s*\(\s*["'`]/, message: "setTimeout/setInterval with a string (dynamic code)" },
  { pattern: /\bimport\s*\(/, message: "dynamic import()" },
  { pattern: /\bglobalThis\s*\[|\bconstructor\s*\.\s*constructor\b/, message: "indirect access to globals or constructors" },
  { pattern: /\batob\s*\(|\bString\.fromCharCode\s*\(.{200,}/, message: "decoding of embedded data (possible obfuscation)" },
];

function manifestOf(bundle: StoredBundle | null | undefined): AppManifest | undefined {
  if (!bundle) return undefined;
  return appManifestSchema.safeParse(typeof bundle.metadata === "string" ? safeJson(bundle.metadata) : bundle.metadata).data;
}

export function permissionsOf(bundle: StoredBundle | null | undefined): Permission[] {
  return [...(manifestOf(bundle)?.permissions ?? [])].sort();
}

/** The lists of other sites app.json declares, each non-empty one. */
export function declaredOriginsOf(bundle: StoredBundle | null | undefined): { declaration: OriginDeclaration; origins: string[] }[] {
  const manifest = manifestOf(bundle);
  if (!manifest) return [];
  const declared: { declaration: OriginDeclaration; origins: string[] }[] = [
    { declaration: "redirects", origins: manifest.redirects },
    { declaration: "cors", origins: manifest.cors },
    ...relaxableDirectives.map((directive) => ({ declaration: `csp ${directive}` as const, origins: manifest.csp?.[directive] ?? [] })),
  ];
  return declared.filter((entry) => entry.origins.length);
}

/** Each declared list with the origins the deployed version did not declare. */
export function originChanges(bundle: StoredBundle, deployed: StoredBundle | null) {
  const current = new Map(declaredOriginsOf(deployed).map((entry) => [entry.declaration, entry.origins]));
  return declaredOriginsOf(bundle).map((entry) => ({ ...entry, added: entry.origins.filter((origin) => !current.get(entry.declaration)?.includes(origin)) }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function bundleBytes(bundle: StoredBundle): number {
  let total = Buffer.byteLength(JSON.stringify(bundle.metadata ?? {}));
  for (const module of bundle.modules) total += Buffer.byteLength(module.module);
  for (const file of bundle.files) total += Math.floor((file.base64.length * 3) / 4);
  return total;
}

export function permissionChanges(bundle: StoredBundle, deployed: StoredBundle | null) {
  const proposed = permissionsOf(bundle);
  const current = permissionsOf(deployed);
  return { added: proposed.filter((name) => !current.includes(name)), removed: current.filter((name) => !proposed.includes(name)), proposed };
}

export function runProposalChecks(options: { bundle: StoredBundle; deployed: StoredBundle | null }): CheckResult[] {
  const { bundle, deployed } = options;
  const validation = validateBundle(bundle);
  const bytes = bundleBytes(bundle);
  const changes = permissionChanges(bundle, deployed);
  const newOrigins = originChanges(bundle, deployed).flatMap((entry) => entry.added.map((origin) => `${entry.declaration}: new ${origin}`));
  const warnings: string[] = [];
  for (const module of bundle.modules) {
    const lines = module.module.split("\n");
    lines.forEach((line, index) => {
      for (const { pattern, message } of riskyPatterns) {
        if (pattern.test(line)) warnings.push(`src/${module.name}:${index + 1}: ${message}`);
      }
    });
  }
  for (const file of bundle.files) {
    if (!/\.html?$|\.js$/.test(file.path)) continue;
    const text = Buffer.from(file.base64, "base64").toString("utf8");
    text.split("\n").forEach((line, index) => {
      for (const { pattern, message } of riskyPatterns) {
        if (pattern.test(line)) warnings.push(`${file.path}:${index + 1}: ${message}`);
      }
    });
  }
  const sizeRatio = bytes / bundleLimits.maxBundleBytes;
  return [
    {
      id: "validation",
      title: "Bundle validation",
      status: validation.issues.length ? "fail" : "pass",
      details: validation.issues.map(describeBundleIssue),
    },
    {
      id: "size",
      title: "Size",
      status: sizeRatio > 1 ? "fail" : sizeRatio > 0.5 ? "warn" : "pass",
      details: [`${bytes} bytes in ${bundle.modules.length} modules and ${bundle.files.length} files (limit ${bundleLimits.maxBundleBytes})`],
    },
    {
      id: "permissions",
      title: "New permissions",
      status: changes.added.length ? "warn" : "pass",
      details: [
        ...changes.added.map((name) => `asks for new permission: ${name}`),
        ...changes.removed.map((name) => `gives up permission: ${name}`),
        ...(changes.added.length || changes.removed.length ? [] : [`unchanged: ${changes.proposed.join(", ") || "none"}`]),
      ],
    },
    { id: "origins", title: "New origins", status: newOrigins.length ? "warn" : "pass", details: newOrigins.length ? newOrigins : ["no site declared that the deployed version did not"] },
    { id: "code", title: "Code warnings", status: warnings.length ? "warn" : "pass", details: warnings.length ? warnings : ["no eval, dynamic Function or similar found"] },
  ];
}
