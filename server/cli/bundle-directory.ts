// Builds a bundle from a local app folder, as CCF's ccf-build-bundle does: app.json is the
// metadata, the .js/.ts files under src/ are the modules, everything else (pages, assets,
// README) rides along as Canopy's public files. Dot-files and node_modules are left out.
import fs from "node:fs";
import path from "node:path";
import { filesToBundle, validateBundle, type BundleIssue, type DraftFile, type StoredBundle } from "../apps/bundle";

const skipped = new Set(["node_modules", "dist", "bundle.json", "proposal.json"]);

function walk(root: string, relative = ""): DraftFile[] {
  const files: DraftFile[] = [];
  for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
    if (entry.name.startsWith(".") || skipped.has(entry.name)) continue;
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...walk(root, child));
    else if (entry.isFile()) files.push({ path: child, content: fs.readFileSync(path.join(root, child)) });
  }
  return files;
}

export function bundleDirectory(options: { dir: string }): { bundle: StoredBundle; issues: BundleIssue[] } {
  const root = path.resolve(options.dir);
  if (!fs.existsSync(path.join(root, "app.json"))) {
    return { bundle: { metadata: undefined, modules: [], files: [] }, issues: [{ file: "app.json", message: `No app.json in ${root}` }] };
  }
  const bundle = filesToBundle(walk(root));
  return { bundle, issues: validateBundle(bundle).issues };
}

/** CCF's proposal form; `files` is Canopy's addition (CCF ignores unknown bundle fields). */
export function toSetJsAppProposal(bundle: StoredBundle, disableBytecodeCache: boolean) {
  return {
    actions: [{ name: "set_js_app", args: { bundle: { metadata: bundle.metadata, modules: bundle.modules, files: bundle.files }, disable_bytecode_cache: disableBytecodeCache } }],
  };
}
