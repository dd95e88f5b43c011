// TypeScript modules become JavaScript on the server side of the isolate, without type checking
// (type errors never block a deployment); syntax errors name the module and line.
import { transformSync } from "esbuild";
import type { BundleIssue } from "../../server/apps/bundle";
import { decodeMappings, type PositionMap } from "./source-map";

/** `sourceMaps` has an entry for every transpiled (TypeScript) module. */
export function transpileModules(modules: { name: string; module: string }[]): { modules: Map<string, string>; issues: BundleIssue[]; sourceMaps: Map<string, PositionMap> } {
  const out = new Map<string, string>();
  const sourceMaps = new Map<string, PositionMap>();
  const issues: BundleIssue[] = [];
  for (const { name, module } of modules) {
    if (!/\.m?ts$/.test(name)) {
      out.set(name, module);
      continue;
    }
    try {
      const result = transformSync(module, { loader: "ts", format: "esm", target: "es2022", sourcefile: name, sourcemap: "external" });
      out.set(name, result.code);
      sourceMaps.set(name, decodeMappings((JSON.parse(result.map) as { mappings: string }).mappings));
    } catch (error) {
      const failures = (error as { errors?: { text: string; location?: { line: number } | null }[] }).errors ?? [];
      for (const failure of failures.length ? failures : [{ text: String(error), location: null }]) {
        issues.push({ file: `src/${name}`, line: failure.location?.line, message: failure.text });
      }
    }
  }
  return { modules: out, issues, sourceMaps };
}
