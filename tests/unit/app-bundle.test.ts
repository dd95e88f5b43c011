import { describe, expect, it } from "vitest";
import { bundleHash, bundleToFiles, filesToBundle, lineOfField, validateBundle } from "@/server/apps/bundle";
import { manifestJsonSchema, normalizeEndpoints, appManifestSchema } from "@/server/apps/manifest";

const files = [
  { path: "app.json", content: Buffer.from(JSON.stringify({ endpoints: { "/log/{id}": { GET: { js_module: "endpoints/all.js", js_function: "getLog", authn_policies: ["user_cert"], mode: "readonly" } } } })) },
  { path: "src/endpoints/all.js", content: Buffer.from("export function getLog() {}") },
  { path: "pages/index.html", content: Buffer.from("<h1>hi</h1>") },
];

describe("bundles", () => {
  it("converts a draft to CCF's {metadata, modules} with public files, and back", () => {
    const bundle = filesToBundle(files);
    expect(bundle.modules).toEqual([{ name: "endpoints/all.js", module: "export function getLog() {}" }]);
    expect(bundle.files.map((file) => file.path)).toEqual(["pages/index.html"]);
    const again = filesToBundle(bundleToFiles(bundle));
    expect(bundleHash(again)).toBe(bundleHash(bundle));
  });

  it("hashes content, not order", () => {
    const bundle = filesToBundle(files);
    const reordered = { ...bundle, modules: [...bundle.modules].reverse(), metadata: JSON.parse(JSON.stringify(bundle.metadata)) };
    expect(bundleHash(reordered)).toBe(bundleHash(bundle));
    expect(bundleHash({ ...bundle, modules: [{ name: "endpoints/all.js", module: "changed" }] })).not.toBe(bundleHash(bundle));
  });

  it("accepts CCF's upper-case methods and policy names", () => {
    const { issues, manifest } = validateBundle(filesToBundle(files));
    expect(issues).toEqual([]);
    expect(normalizeEndpoints(manifest!.endpoints)["/log/{id}"]?.get?.mode).toBe("readonly");
  });

  it("names missing modules and pages with their field", () => {
    const bundle = filesToBundle([
      { path: "app.json", content: Buffer.from(JSON.stringify({ main: "main.ts", pages: { home: { file: "pages/home.html", title: "Home" } } }, null, 2)) },
    ]);
    const { issues } = validateBundle(bundle);
    expect(issues.map((issue) => issue.field)).toEqual(["main", "pages.home.file"]);
    expect(issues[0]?.line).toBe(2);
  });

  it("refuses unknown fields, methods and path traversal in module names", () => {
    expect(appManifestSchema.safeParse({ endpoints: { "/x": { fetch: { js_module: "a.js", js_function: "f" } } } }).success).toBe(false);
    expect(appManifestSchema.safeParse({ endpoints: { "/x": { get: { js_module: "../a.js", js_function: "f" } } } }).success).toBe(false);
    expect(appManifestSchema.safeParse({ surprise: true }).success).toBe(false);
  });

  it("finds the line of a nested field and gives the editor a JSON Schema", () => {
    expect(lineOfField('{\n  "a": {\n    "b": 1\n  }\n}', ["a", "b"])).toBe(3);
    const schema = manifestJsonSchema();
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(["endpoints", "pages", "permissions", "main"]));
  });
});
