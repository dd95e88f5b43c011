import { describe, expect, it } from "vitest";
import type { Caller } from "@/server/auth/caller";
import { authnAllows, matchEndpoint, needsCaller, openApiDocument } from "@/server/apps/endpoint-routing";
import { appManifestSchema } from "@/server/apps/manifest";
import { parseCcfProposal } from "@/server/apps/ccf-proposal";
import { isAppError } from "@/server/errors";

const manifest = appManifestSchema.parse({
  name: "Routes",
  version: "1.2.3",
  endpoints: {
    "/items/{id}": {
      get: { js_module: "items.js", js_function: "get", openapi: { summary: "One item" } },
      DELETE: { js_module: "items.js", js_function: "remove", authn_policies: ["staff"] },
    },
    "/items/new": { post: { js_module: "items.js", js_function: "create", authn_policies: ["user"] } },
    "/a/{x}/b/{y}": { get: { js_module: "ab.js", js_function: "ab" } },
  },
});

const member: Caller = { userId: "u1", username: "m", displayName: "M", role: "MEMBER", via: "session" };
const staff: Caller = { ...member, role: "STAFF" };
const tokenMember: Caller = { ...member, via: "token" };

describe("endpoint matching", () => {
  it("prefers literal paths over templates and decodes params", () => {
    expect(matchEndpoint(manifest, "POST", "/items/new")?.endpoint?.js_function).toBe("create");
    const match = matchEndpoint(manifest, "get", "/items/a%20b");
    expect(match?.template).toBe("/items/{id}");
    expect(match?.params).toEqual({ id: "a b" });
    expect(matchEndpoint(manifest, "GET", "/a/1/b/2")?.params).toEqual({ x: "1", y: "2" });
  });

  it("reports the allowed methods when only the method differs, and null for unknown paths", () => {
    const wrongMethod = matchEndpoint(manifest, "PUT", "/items/7");
    expect(wrongMethod?.endpoint).toBeUndefined();
    expect(wrongMethod?.allowed.sort()).toEqual(["DELETE", "GET"]);
    expect(matchEndpoint(manifest, "GET", "/items/7/extra")).toBeNull();
    expect(matchEndpoint(manifest, "GET", "/nothing")).toBeNull();
    expect(matchEndpoint(manifest, "GET", "/items/%E0%A4%A")).toBeNull();
  });
});

describe("authn policies (CCF semantics)", () => {
  it("admits when any policy passes; all_of needs every one", () => {
    expect(authnAllows(["no_auth"], null)).toBe(true);
    expect(authnAllows([], null)).toBe(true);
    expect(authnAllows(["user"], null)).toBe(false);
    expect(authnAllows(["user"], member)).toBe(true);
    expect(authnAllows(["staff"], member)).toBe(false);
    expect(authnAllows(["staff"], staff)).toBe(true);
    expect(authnAllows(["member_cert"], staff)).toBe(true);
    expect(authnAllows(["jwt"], member)).toBe(false);
    expect(authnAllows(["jwt"], tokenMember)).toBe(true);
    expect(authnAllows(["staff", "jwt"], tokenMember)).toBe(true);
    expect(authnAllows([{ all_of: ["user", "jwt"] }], member)).toBe(false);
    expect(authnAllows([{ all_of: ["user", "jwt"] }], tokenMember)).toBe(true);
  });

  it("resolves the caller only when a policy needs one", () => {
    expect(needsCaller(["no_auth"])).toBe(false);
    expect(needsCaller(["user", "no_auth"])).toBe(false);
    expect(needsCaller(["user"])).toBe(true);
    expect(needsCaller([])).toBe(false);
  });
});

describe("openapi.json", () => {
  it("merges each endpoint's openapi part under its template and method", () => {
    const document = openApiDocument(manifest, "routes") as { info: unknown; servers: unknown; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(document.info).toEqual({ title: "Routes", version: "1.2.3" });
    expect(document.servers).toEqual([{ url: "/apps/routes/api" }]);
    expect(document.paths["/items/{id}"]!.get!.summary).toBe("One item");
    expect(Object.keys(document.paths["/items/{id}"]!).sort()).toEqual(["delete", "get"]);
    expect(document.paths["/items/new"]!.post!.responses).toEqual({ default: { description: "Default response" } });
  });
});

describe("CCF deployment proposals", () => {
  const bundle = { metadata: { endpoints: {} }, modules: [{ name: "a.js", module: "export const a = 1;" }] };

  it("parses set_js_app with disable_bytecode_cache", () => {
    const parsed = parseCcfProposal({ actions: [{ name: "set_js_app", args: { bundle, disable_bytecode_cache: true } }] });
    expect(parsed.disableBytecodeCache).toBe(true);
    expect(parsed.bundle.modules).toEqual(bundle.modules);
    expect(parseCcfProposal({ actions: [{ name: "set_js_app", args: { bundle } }] }).disableBytecodeCache).toBe(false);
  });

  it("refuses other actions, several actions and malformed bundles with BAD_REQUEST naming the field", () => {
    const refused = (json: unknown) => {
      try {
        parseCcfProposal(json);
      } catch (error) {
        return isAppError(error) ? `${error.code}: ${error.message}` : String(error);
      }
      return "accepted";
    };
    expect(refused({})).toMatch(/^BAD_REQUEST: Invalid proposal/);
    expect(refused({ actions: [{ name: "remove_everything" }] })).toMatch(/^BAD_REQUEST: Unsupported action remove_everything/);
    expect(refused({ actions: [{ name: "set_js_app", args: { bundle } }, { name: "set_js_app", args: { bundle } }] })).toMatch(/^BAD_REQUEST: A proposal carries one/);
    expect(refused({ actions: [{ name: "set_js_app", args: { bundle: { ...bundle, modules: "nope" } } }] })).toMatch(/^BAD_REQUEST: .*actions\.0\.args\.bundle\.modules/);
  });
});
