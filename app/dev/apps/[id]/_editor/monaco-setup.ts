// Monaco, loaded from this app's own bundle (never a CDN) and only by the editor route: the
// editor imports this module through next/dynamic. Workers are local entries bundled by Next.
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";

export type Monaco = typeof monaco;

declare global {
  interface Window {
    MonacoEnvironment?: monaco.Environment;
  }
}

window.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    switch (label) {
      case "typescript":
      case "javascript":
        return new Worker(new URL("./workers/ts.worker.ts", import.meta.url), { type: "module", name: "ts" });
      case "json":
        return new Worker(new URL("./workers/json.worker.ts", import.meta.url), { type: "module", name: "json" });
      case "css":
      case "scss":
      case "less":
        return new Worker(new URL("./workers/css.worker.ts", import.meta.url), { type: "module", name: "css" });
      case "html":
      case "handlebars":
      case "razor":
        return new Worker(new URL("./workers/html.worker.ts", import.meta.url), { type: "module", name: "html" });
      default:
        return new Worker(new URL("./workers/editor.worker.ts", import.meta.url), { type: "module", name: "editor" });
    }
  },
};

loader.config({ monaco });

/** Server modules (src/) run in an isolate, not a browser; page scripts (pages/) run in a browser. */
const sharedCompilerOptions: monaco.typescript.CompilerOptions = {
  target: monaco.typescript.ScriptTarget.ES2020,
  module: monaco.typescript.ModuleKind.ESNext,
  moduleResolution: monaco.typescript.ModuleResolutionKind.NodeJs,
  allowNonTsExtensions: true,
  allowJs: true,
  strict: true,
  noEmit: true,
  esModuleInterop: true,
  skipLibCheck: true,
};

monaco.typescript.typescriptDefaults.setCompilerOptions({ ...sharedCompilerOptions, lib: ["es2022"] });
monaco.typescript.javascriptDefaults.setCompilerOptions({ ...sharedCompilerOptions, lib: ["es2022", "dom"], checkJs: false, strict: false });
monaco.typescript.typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
monaco.typescript.javascriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
// Every model of the app is known to the TypeScript worker, so imports between modules resolve.
monaco.typescript.typescriptDefaults.setEagerModelSync(true);
monaco.typescript.javascriptDefaults.setEagerModelSync(true);

let typesLoaded: Promise<void> | undefined;

/** The platform's .d.ts (canopy, ccf, appbridge as the server lists them) for IntelliSense. */
export function loadPlatformTypes(): Promise<void> {
  typesLoaded ??= fetch("/api/apps/types", { credentials: "same-origin" })
    .then(async (response) => {
      if (!response.ok) throw new Error(`GET /api/apps/types answered ${response.status}`);
      const { files } = (await response.json()) as { files: { path: string; content: string }[] };
      for (const file of files) {
        const uri = `file:///node_modules/@types/canopy/${file.path.replace(/^\/+/, "")}`;
        monaco.typescript.typescriptDefaults.addExtraLib(file.content, uri);
        monaco.typescript.javascriptDefaults.addExtraLib(file.content, uri);
      }
    })
    .catch((error: unknown) => {
      typesLoaded = undefined;
      throw error;
    });
  return typesLoaded;
}

/** app.json is checked against the manifest's JSON Schema as it is typed. */
export function setManifestSchema(schema: unknown) {
  monaco.json.jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    trailingCommas: "error",
    schemaValidation: "error",
    schemas: [{ uri: "canopy://schemas/app.json", fileMatch: ["file:///app.json"], schema }],
    enableSchemaRequest: false,
  });
}

export function modelUri(path: string): monaco.Uri {
  return monaco.Uri.parse(`file:///${path}`);
}

export function pathOfUri(uri: monaco.Uri): string | null {
  return uri.scheme === "file" ? uri.path.replace(/^\//, "") : null;
}

const languageByExtension: Record<string, string> = {
  ts: "typescript",
  mts: "typescript",
  js: "javascript",
  mjs: "javascript",
  json: "json",
  html: "html",
  htm: "html",
  css: "css",
  md: "markdown",
  svg: "xml",
  xml: "xml",
  txt: "plaintext",
};

export function languageOf(path: string): string {
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return languageByExtension[extension] ?? "plaintext";
}

export { monaco };
