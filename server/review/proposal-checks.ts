// The automatic checks a reviewer sees on a proposal: bundle validation, size, permissions that
// are new against the deployed version, and code patterns worth a closer look.
import { bundleLimits, describeBundleIssue, validateBundle, type StoredBundle } from "../apps/bundle";
import { appManifestSchema } from "../apps/manifest";

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

export function permissionsOf(bundle: StoredBundle | null | undefined): string[] {
  if (!bundle) return [];
  const parsed = appManifestSchema.safeParse(typeof bundle.metadata === "string" ? safeJson(bundle.metadata) : bundle.metadata);
  return parsed.success ? [...parsed.data.permissions].sort() : [];
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
    { id: "code", title: "Code warnings", status: warnings.length ? "warn" : "pass", details: warnings.length ? warnings : ["no eval, dynamic Function or similar found"] },
  ];
}
