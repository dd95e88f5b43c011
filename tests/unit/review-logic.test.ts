import { describe, expect, it } from "vitest";
import type { StoredBundle } from "@/server/apps/bundle";
import { parseEnv } from "@/server/env";
import { diffBundles, diffLines } from "@/server/review/bundle-diff";
import { runProposalChecks } from "@/server/review/proposal-checks";
import { allowedTransitions } from "@/server/review/proposal-states";

function bundle(module: string, permissions: string[], extra: StoredBundle["files"] = []): StoredBundle {
  return {
    metadata: { endpoints: { "/a": { get: { js_module: "a.js", js_function: "a" } } }, permissions },
    modules: [{ name: "a.js", module }],
    files: extra,
  };
}

describe("bundle diff", () => {
  it("finds the shortest line edit", () => {
    const lines = diffLines(["a", "b", "c", "d"], ["a", "x", "c", "d", "e"]);
    expect(lines.map((line) => `${line.type[0]}${line.text}`)).toEqual(["ca", "rb", "ax", "cc", "cd", "ae"]);
    expect(diffLines([], [])).toEqual([]);
  });

  it("lists added, removed, modified and unchanged files with hunks of three context lines", () => {
    const long = Array.from({ length: 20 }, (_, index) => `line ${index}`);
    const before = bundle(long.join("\n"), ["kv"], [{ path: "pages/old.html", base64: Buffer.from("old").toString("base64") }]);
    const changed = [...long];
    changed[10] = "changed";
    const after = bundle(changed.join("\n"), ["kv"], [{ path: "pages/new.html", base64: Buffer.from("new").toString("base64") }]);
    const diff = diffBundles({ proposed: after, deployed: before });
    expect(diff.map((file) => `${file.status} ${file.path}`)).toEqual(["unchanged app.json", "added pages/new.html", "removed pages/old.html", "modified src/a.js"]);
    const module = diff.find((file) => file.path === "src/a.js")!;
    expect(module.hunks).toHaveLength(1);
    expect(module.hunks[0]!.lines).toHaveLength(8);
    expect(module.hunks[0]!.oldStart).toBe(8);
    expect([module.additions, module.deletions]).toEqual([1, 1]);
  });

  it("marks binary files instead of diffing them", () => {
    const png = Buffer.from([0x89, 0x50, 0, 1]).toString("base64");
    const diff = diffBundles({ proposed: bundle("x", [], [{ path: "logo.png", base64: png }]), deployed: null });
    expect(diff.find((file) => file.path === "logo.png")).toMatchObject({ status: "added", binary: true, hunks: [] });
  });
});

describe("proposal checks", () => {
  it("passes a clean bundle and warns about new permissions and dynamic code", () => {
    const clean = runProposalChecks({ bundle: bundle("export function a() {}", ["kv"]), deployed: bundle("export function a() {}", ["kv"]) });
    expect(clean.map((check) => check.status)).toEqual(["pass", "pass", "pass", "pass", "pass"]);

    const risky = runProposalChecks({
      bundle: bundle('export function a() {\n  return eval("1");\n}\nconst f = new Function("x", "return x");\n', ["kv", "chat"]),
      deployed: bundle("export function a() {}", ["kv", "users"]),
    });
    const byId = Object.fromEntries(risky.map((check) => [check.id, check]));
    expect(byId.permissions!.status).toBe("warn");
    expect(byId.permissions!.details).toEqual(["asks for new permission: chat", "gives up permission: users"]);
    expect(byId.code!.status).toBe("warn");
    expect(byId.code!.details).toEqual(["src/a.js:2: eval() runs code built at run time", "src/a.js:4: Function constructor (dynamic code)"]);
  });

  it("warns about sites app.json declares that the deployed version did not", () => {
    const declaring = (redirects: string[], cors: string[]): StoredBundle => ({ ...bundle("export function a() {}", []), metadata: { endpoints: { "/a": { get: { js_module: "a.js", js_function: "a" } } }, redirects, cors } });
    const origins = runProposalChecks({ bundle: declaring(["https://a.example", "https://b.example"], ["https://a.example"]), deployed: declaring(["https://a.example"], []) }).find((check) => check.id === "origins")!;
    expect(origins).toMatchObject({ status: "warn", details: ["redirects: new https://b.example", "cors: new https://a.example"] });
    expect(runProposalChecks({ bundle: declaring(["https://a.example"], []), deployed: declaring(["https://a.example"], []) }).find((check) => check.id === "origins")!.status).toBe("pass");
  });

  it("fails validation with the file and field of the problem", () => {
    const broken: StoredBundle = { metadata: { endpoints: { "/a": { get: { js_module: "missing.js", js_function: "a" } } } }, modules: [], files: [] };
    const validation = runProposalChecks({ bundle: broken, deployed: null }).find((check) => check.id === "validation")!;
    expect(validation.status).toBe("fail");
    expect(validation.details[0]).toContain("missing.js");
  });
});

describe("constitution", () => {
  it("only Open proposals are decided, and only an accepted one can fail", () => {
    expect(allowedTransitions.OPEN.sort()).toEqual(["ACCEPTED", "DROPPED", "REJECTED", "WITHDRAWN"]);
    expect(allowedTransitions.ACCEPTED).toEqual(["FAILED"]);
    for (const state of ["REJECTED", "WITHDRAWN", "DROPPED", "FAILED"] as const) expect(allowedTransitions[state]).toEqual([]);
  });

  it("needs one approval by default; REVIEW_APPROVALS configures it and refuses nonsense", () => {
    const env = (values: Record<string, string>) => parseEnv(values as NodeJS.ProcessEnv);
    expect(env({}).REVIEW_APPROVALS).toBe(1);
    expect(env({ REVIEW_APPROVALS: "3" }).REVIEW_APPROVALS).toBe(3);
    expect(() => env({ REVIEW_APPROVALS: "0" })).toThrow(/REVIEW_APPROVALS/);
  });
});
