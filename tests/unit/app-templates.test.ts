// Every template's TypeScript compiles against the platform's .d.ts exactly as the editor checks
// it (Monaco's compiler options for src/: ES2022, no DOM), so a new app opens with no errors.
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { platformTypeDefinitions } from "../../server/apps/platform-api/dts";
import { appTemplates, templateFiles } from "../../server/apps/templates";

function diagnosticsOf(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ["lib.es2022.d.ts"], strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files[name] ?? readFile(name);
  host.fileExists = (name) => name in files || fileExists(name);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => Object.keys(files).some((file) => file.startsWith(`${name}/`)) || (directoryExists?.(name) ?? false);
  host.getSourceFile = (name, version) => {
    const text = host.readFile(name);
    return text === undefined ? undefined : ts.createSourceFile(name, text, version);
  };
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => `${diagnostic.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`);
}

describe("app templates", () => {
  for (const template of appTemplates) {
    it(`${template.id} type-checks against canopy.d.ts and ccf.d.ts`, () => {
      const files: Record<string, string> = {};
      for (const file of platformTypeDefinitions()) files[`/types/${file.path}`] = file.content;
      for (const file of templateFiles({ templateId: template.id, name: "Check" })) if (/^src\/.*\.ts$/.test(file.path)) files[`/app/${file.path}`] = file.content;
      expect(Object.keys(files).some((name) => name.startsWith("/app/"))).toBe(true);
      expect(diagnosticsOf(files)).toEqual([]);
    });
  }
});
