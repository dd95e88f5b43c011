// Which URLs a render session may load. Pure (DNS is passed in), shared by the server (early,
// clear refusals) and the worker (the authoritative check on every navigation, redirect and
// connection). Rules:
// - only http: and https:, no credentials in the URL;
// - Canopy's own origins (the server's internal URL, the public URL) are allowed, but documents
//   only on page paths (a channel's watch page, chat, app pages, home) — never the APIs;
// - other hosts only when on the allow list (RENDER_ALLOWED_HOSTS plus the staff-managed list);
// - after DNS resolution, every address must be public: loopback, private, link-local (cloud
//   metadata included), CGNAT, unspecified, multicast, documentation, IPv6 ULA / link-local and
//   IPv4 embedded in IPv6 are all refused — except for Canopy's own origins, which in development
//   and tests are served from 127.0.0.1.
import net from "node:net";

export type UrlPolicy = {
  /** Origins (scheme://host:port) that are Canopy itself. */
  ownOrigins: readonly string[];
  /** Host patterns: "example.com" (exact) or "*.example.com" (any subdomain). */
  allowedHosts: readonly string[];
};

export type PolicyVerdict = { ok: true; url: URL; own: boolean } | { ok: false; reason: string };

/** Canopy pages a session may show (documents); everything else on Canopy's origin is refused as a document. */
export const ownPagePatterns: readonly RegExp[] = [
  /^\/$/,
  /^\/c\/[^/]+\/?$/, // a channel's watch page (video and chat)
  /^\/chat\/[^/]+\/?$/, // a channel's chat
  /^\/a\/[^/]+(\/.*)?$/, // app pages
  /^\/apps\/[^/]+\/pages(\/.*)?$/,
];

export function isOwnPagePath(pathname: string): boolean {
  return ownPagePatterns.some((pattern) => pattern.test(pathname));
}

const hostPattern = /^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:\d{1,5})?$/;

/** Normalises a host pattern from the allow list, or null when it is not one. */
export function normaliseHostPattern(raw: string): string | null {
  const value = raw.trim().toLowerCase().replace(/\.$/, "");
  if (!value || value.length > 253 || !hostPattern.test(value)) return null;
  const bare = value.replace(/^\*\./, "").replace(/:\d+$/, "");
  // IP literals and single labels ("localhost", "metadata") are never allow-list material.
  if (net.isIP(bare) || !bare.includes(".")) return null;
  return value;
}

export function hostMatches(url: URL, pattern: string): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const [patternHost, patternPort] = pattern.split(":") as [string, string | undefined];
  if (patternPort !== undefined && effectivePort(url) !== patternPort) return false;
  if (patternHost.startsWith("*.")) return host.endsWith(patternHost.slice(1)) && host.length > patternHost.length - 1;
  return host === patternHost;
}

function effectivePort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

export function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/** Parses what a client asked to load. Like Jiomosa, a bare host ("example.com/x") means https. */
export function parseRequestedUrl(raw: string): URL | { error: string } {
  const value = raw.trim();
  if (!value) return { error: "URL is required" };
  if (value.length > 2048) return { error: "URL is too long" };
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(value);
  const candidate = hasScheme ? value : `https://${value.replace(/^\/\//, "")}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return { error: "Not a valid URL" };
  }
  return url;
}

/** The checks that need no DNS: scheme, credentials, own origin and path, allow list. */
export function checkUrl(url: URL, policy: UrlPolicy, options: { document: boolean } = { document: true }): PolicyVerdict {
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: `${url.protocol.replace(/:$/, "")}: URLs may not be loaded; only http and https` };
  if (url.username || url.password) return { ok: false, reason: "URLs with credentials may not be loaded" };
  if (policy.ownOrigins.includes(url.origin)) {
    if (options.document && !isOwnPagePath(url.pathname)) return { ok: false, reason: `${url.pathname} is not a Canopy page that may be rendered` };
    return { ok: true, url, own: true };
  }
  if (!policy.allowedHosts.some((pattern) => hostMatches(url, pattern))) {
    return { ok: false, reason: `${url.hostname} is not on the render allow list` };
  }
  if (net.isIP(bareHost(url.hostname))) return { ok: false, reason: "IP addresses may not be loaded" };
  return { ok: true, url, own: false };
}

export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "");
}

// Addresses no render session may reach.
const blocked = new net.BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["::", 96], // IPv4-compatible (deprecated)
  ["100::", 64], // discard
  ["2001::", 32], // Teredo
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (AWS metadata fd00:ec2::254 included)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** IPv4 carried inside an IPv6 address (mapped, NAT64, 6to4), which must pass the IPv4 rules too. */
function embeddedIpv4(address: string): string | null {
  const groups = expandIpv6(address);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zero(0, 5) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!); // ::ffff:a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6)) return v4(groups[6]!, groups[7]!); // 64:ff9b::/96
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!); // 6to4
  return null;
}

function expandIpv6(address: string): number[] | null {
  let value = address.toLowerCase().split("%")[0]!;
  const dotted = value.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const parts = dotted[1]!.split(".").map(Number);
    value = value.slice(0, -dotted[1]!.length) + `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = value.split("::") as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const start = parse(head);
  const end = tail === undefined ? [] : parse(tail);
  const missing = 8 - start.length - end.length;
  if (tail === undefined ? start.length !== 8 : missing < 0) return null;
  const groups = [...start, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...end];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}

/** Why an address may not be reached, or null when it is a public address. */
export function forbiddenAddressReason(address: string): string | null {
  const value = bareHost(address);
  const family = net.isIP(value);
  if (family === 4) return blocked.check(value, "ipv4") ? `${value} is a private, loopback, link-local or reserved address` : null;
  if (family === 6) {
    if (blocked.check(value, "ipv6")) return `${value} is a private, loopback, link-local or reserved address`;
    const inner = embeddedIpv4(value);
    if (inner && blocked.check(inner, "ipv4")) return `${value} embeds the non-public address ${inner}`;
    return null;
  }
  return `${value} is not an IP address`;
}

export type LookupAll = (hostname: string) => Promise<string[]>;

/**
 * The full check: `checkUrl`, then (except for Canopy's own origins) DNS resolution with every
 * resolved address public. Returns the addresses so a caller can connect to exactly those.
 */
export async function checkUrlResolved(
  url: URL,
  policy: UrlPolicy,
  lookup: LookupAll,
  options: { document: boolean } = { document: true },
): Promise<(PolicyVerdict & { ok: true; addresses: string[] }) | { ok: false; reason: string }> {
  const verdict = checkUrl(url, policy, options);
  if (!verdict.ok) return verdict;
  if (verdict.own) return { ...verdict, addresses: [] };
  const resolved = await resolveHost(bareHost(url.hostname), lookup);
  if ("reason" in resolved) return { ok: false, reason: resolved.reason };
  return { ...verdict, addresses: resolved.addresses };
}

/** Resolves a host and insists that every address is public. */
export async function resolveHost(host: string, lookup: LookupAll): Promise<{ addresses: string[] } | { reason: string }> {
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = await lookup(host);
    } catch {
      return { reason: `${host} does not resolve` };
    }
  }
  if (!addresses.length) return { reason: `${host} does not resolve` };
  for (const address of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason) return { reason: `${host} resolves to a forbidden address (${reason})` };
  }
  return { addresses };
}
