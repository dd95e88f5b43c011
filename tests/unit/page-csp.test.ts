import { describe, expect, it } from "vitest";
import { appManifestSchema } from "@/server/apps/manifest";
import { pageCsp } from "@/server/apps/pages/page-csp";

const base = "sandbox allow-scripts; default-src 'self'; img-src 'self' data:; connect-src 'self'";

describe("app page CSP", () => {
  it("appends the manifest's https origins to passive-content directives only", () => {
    expect(pageCsp(base, { "img-src": ["https://images.example.com"], "font-src": ["https://*.fonts.example"] })).toBe(
      "sandbox allow-scripts; default-src 'self'; img-src 'self' data: https://images.example.com; connect-src 'self'; font-src 'self' https://*.fonts.example",
    );
    expect(pageCsp(base, undefined)).toBe(base);
  });

  it("refuses scripts, connections, non-https sources and anything that could lift the sandbox", () => {
    const parse = (csp: unknown) => appManifestSchema.safeParse({ csp }).success;
    expect(parse({ "img-src": ["https://cdn.example.com:8443"] })).toBe(true);
    expect(parse({ "script-src": ["https://cdn.example.com"] })).toBe(false);
    expect(parse({ "connect-src": ["https://api.example.com"] })).toBe(false);
    expect(parse({ "img-src": ["http://cdn.example.com"] })).toBe(false);
    expect(parse({ "img-src": ["*"] })).toBe(false);
    expect(parse({ "img-src": ["https://cdn.example.com; script-src *"] })).toBe(false);
    expect(parse({ "img-src": ["'unsafe-inline'"] })).toBe(false);
  });
});
