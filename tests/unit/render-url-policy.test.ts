import { describe, expect, it } from "vitest";
import {
  checkUrl,
  checkUrlResolved,
  forbiddenAddressReason,
  hostMatches,
  isOwnPagePath,
  normaliseHostPattern,
  parseRequestedUrl,
  type UrlPolicy,
} from "../../server/render/url-policy";
import { toRenderTarget } from "../../server/render/targets";

const policy: UrlPolicy = { ownOrigins: ["http://127.0.0.1:3000", "https://canopy.example"], allowedHosts: ["example.com", "*.wiki.example"] };
const url = (value: string) => new URL(value);
const dns = (table: Record<string, string[]>) => async (host: string) => {
  if (!table[host]) throw new Error("ENOTFOUND");
  return table[host]!;
};

describe("render URL policy", () => {
  it("allows Canopy's own pages, also on loopback, but not its APIs", () => {
    expect(checkUrl(url("http://127.0.0.1:3000/c/alice"), policy)).toMatchObject({ ok: true, own: true });
    expect(checkUrl(url("https://canopy.example/chat/alice"), policy)).toMatchObject({ ok: true, own: true });
    expect(checkUrl(url("https://canopy.example/a/quiz/play"), policy)).toMatchObject({ ok: true, own: true });
    expect(checkUrl(url("http://127.0.0.1:3000/api/trpc/users.list"), policy)).toMatchObject({ ok: false });
    expect(checkUrl(url("http://127.0.0.1:3000/render/api/sessions"), policy)).toMatchObject({ ok: false });
    // Subresources of own pages (scripts, tRPC, sockets) are fine.
    expect(checkUrl(url("http://127.0.0.1:3000/api/trpc/x"), policy, { document: false })).toMatchObject({ ok: true });
    expect(isOwnPagePath("/c/alice")).toBe(true);
    expect(isOwnPagePath("/c/alice/../../api")).toBe(false);
  });

  it("refuses other loopback ports, private, metadata and non-http(s) URLs", () => {
    for (const target of ["http://127.0.0.1:22/", "http://127.0.0.1/", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data", "http://localhost:3000/c/x", "http://[::1]:3000/c/x"]) {
      expect(checkUrl(url(target), policy).ok, target).toBe(false);
    }
    expect(checkUrl(url("file:///etc/passwd"), policy)).toEqual({ ok: false, reason: expect.stringMatching(/^file: URLs may not be loaded/) });
    expect(checkUrl(url("javascript:alert(1)"), policy)).toEqual({ ok: false, reason: expect.stringMatching(/^javascript: URLs/) });
    expect(checkUrl(url("ftp://example.com/"), policy).ok).toBe(false);
    expect(checkUrl(url("https://user:pw@example.com/"), policy).ok).toBe(false);
  });

  it("matches the allow list exactly or by subdomain wildcard", () => {
    expect(hostMatches(url("https://example.com/x"), "example.com")).toBe(true);
    expect(hostMatches(url("https://evil-example.com/x"), "example.com")).toBe(false);
    expect(hostMatches(url("https://a.wiki.example/"), "*.wiki.example")).toBe(true);
    expect(hostMatches(url("https://wiki.example/"), "*.wiki.example")).toBe(false);
    expect(hostMatches(url("https://evilwiki.example/"), "*.wiki.example")).toBe(false);
    expect(hostMatches(url("https://example.com:8443/"), "example.com:8443")).toBe(true);
    expect(hostMatches(url("https://example.com/"), "example.com:8443")).toBe(false);
    expect(normaliseHostPattern(" Example.COM. ")).toBe("example.com");
    for (const bad of ["10.0.0.1", "localhost", "*.com.", "http://x.com", "a b.com", "[::1]"]) expect(normaliseHostPattern(bad), bad).toBeNull();
  });

  it("classifies addresses after resolution", () => {
    for (const address of [
      "127.0.0.1", "127.8.9.10", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
      "0.0.0.0", "224.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fd00:ec2::254", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
      "::ffff:7f00:1", "64:ff9b::a9fe:a9fe", "2002:a00:1::", "ff02::1",
    ]) {
      expect(forbiddenAddressReason(address), address).not.toBeNull();
    }
    for (const address of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:8.8.8.8"]) {
      expect(forbiddenAddressReason(address), address).toBeNull();
    }
  });

  it("refuses allowed names that resolve to private addresses (and names that do not resolve)", async () => {
    const lookup = dns({ "example.com": ["93.184.216.34"], "a.wiki.example": ["93.184.216.35", "10.0.0.7"], "b.wiki.example": ["::ffff:169.254.169.254"] });
    expect(await checkUrlResolved(url("https://example.com/"), policy, lookup)).toMatchObject({ ok: true, addresses: ["93.184.216.34"] });
    expect(await checkUrlResolved(url("https://a.wiki.example/"), policy, lookup)).toMatchObject({ ok: false, reason: expect.stringContaining("10.0.0.7") });
    expect(await checkUrlResolved(url("https://b.wiki.example/"), policy, lookup)).toMatchObject({ ok: false });
    expect(await checkUrlResolved(url("https://c.wiki.example/"), policy, lookup)).toMatchObject({ ok: false, reason: expect.stringContaining("does not resolve") });
    // Own origins need no resolution.
    expect(await checkUrlResolved(url("http://127.0.0.1:3000/c/x"), policy, lookup)).toMatchObject({ ok: true, own: true });
  });

  it("turns requests into targets like Jiomosa (bare hosts mean https) and refuses the rest", () => {
    expect(parseRequestedUrl("example.com/page")).toEqual(url("https://example.com/page"));
    expect(toRenderTarget("/c/alice", policy)).toEqual({ kind: "canopy", path: "/c/alice" });
    // On this server's own origin: a path the worker loads from the server; on the public origin
    // (another node, a load balancer): a URL the worker may load as Canopy's own.
    expect(toRenderTarget("https://canopy.example/c/alice?x=1", policy, ["https://canopy.example"])).toEqual({ kind: "canopy", path: "/c/alice?x=1" });
    expect(toRenderTarget("https://canopy.example/c/alice", policy)).toEqual({ kind: "external", url: "https://canopy.example/c/alice" });
    expect(() => toRenderTarget("https://canopy.example/api/x", policy, ["https://canopy.example"])).toThrow(/not a Canopy page/);
    expect(toRenderTarget("example.com", policy)).toEqual({ kind: "external", url: "https://example.com/" });
    for (const bad of ["/api/trpc/x", "//evil.com/c/x", "file:///etc/passwd", "javascript:alert(1)", "http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/"]) {
      expect(() => toRenderTarget(bad, policy), bad).toThrow(/Refused|not/);
    }
  });
});
