// An example app from examples/<name> as a CCF set_js_app proposal for POST /api/apps/<id>/deploy:
// app.json is the metadata, src/** the modules, every other file (pages, assets) a public file.
import fs from "node:fs";
import path from "node:path";

const examplesDir = path.resolve(import.meta.dirname, "../../examples");

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join("/")];
  });
}

export function exampleProposal(name: string) {
  const root = path.join(examplesDir, name);
  const paths = walk(root);
  const metadata = JSON.parse(fs.readFileSync(path.join(root, "app.json"), "utf8")) as unknown;
  const modules = paths.filter((file) => file.startsWith("src/")).map((file) => ({ name: file.slice(4), module: fs.readFileSync(path.join(root, file), "utf8") }));
  const files = paths
    .filter((file) => !file.startsWith("src/") && file !== "app.json" && file !== "README.md")
    .map((file) => ({ path: file, base64: fs.readFileSync(path.join(root, file)).toString("base64") }));
  return { actions: [{ name: "set_js_app", args: { bundle: { metadata, modules, files } } }] };
}
