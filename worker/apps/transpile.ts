// TypeScript modules become JavaScript on the server side of the isolate, without type checking
// (type errors never block a deployment); syntax errors name the module and line.
import { transformSync } from "esbuild";
import type { BundleIssue } from "../../server/apps/bundle";

export function transpileModules(modules: { name: string; module: string }[]): { modules: Map<string, string>; issues: BundleIssue[] } {
  const out = new Map<string, string>();
  const issues: BundleIssue[] = [];
  for (const { name, module } of modules) {
    if (!/\.m?ts$/.test(name)) {
      out.set(name, module);
      continue;
    }
    try {
      out.set(name, transformSync(module, { loader: "ts", format: "esm", target: "es2022", sourcefile: name }).code);
    } catch (error) {
      const failures = (error as { errors?: { text: string; location?: { line: number } | null }[] }).errors ?? [];
      for (const failure of failures.length ? failures : [{ text: String(error), location: null }]) {
        issues.push({ file: `src/${name}`, line: failure.location?.line, message: failure.text });
      }
    }
  }
  return { modules: out, issues };
}
