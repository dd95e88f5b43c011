// Cross-site request forgery: a browser attaches Canopy's cookies to requests that pages of other
// sites make, and SameSite does not stop a same-site one (another port on the host, a sibling
// subdomain). Cookies count only on requests from the platform's own pages: an Origin that is the
// server's own (the request's Host, as Next.js server actions decide) or CANOPY_PUBLIC_URL. Without
// an Origin, a browser's Sec-Fetch-Site still tells another site's request apart; a client that
// sends neither (a script, Ting's, Open360's and Jiomosa's clients) is no page acting for someone.
import type http from "node:http";

export type SiteHeaders = Pick<http.IncomingHttpHeaders, "origin" | "host" | "sec-fetch-site">;

/** Why the request comes from another site's page (a sentence for the caller), or null when it does not. */
export function foreignSiteOf(headers: SiteHeaders, publicUrl: string | undefined): string | null {
  const { origin } = headers;
  if (origin === undefined) {
    const site = headers["sec-fetch-site"];
    return site === "cross-site" || site === "same-site" ? `Cross-site request refused: Sec-Fetch-Site is ${site}; send it from this site's pages or with an API token` : null;
  }
  return isTrustedOrigin(origin, headers.host, publicUrl) ? null : `Cross-site request refused: Origin ${origin.slice(0, 200)} is not this site; send it from this site's pages or with an API token`;
}

function isTrustedOrigin(origin: string, host: string | undefined, publicUrl: string | undefined): boolean {
  const parsed = parseUrl(origin);
  // "null" (sandboxed frames, privacy-sensitive redirects) and non-web schemes are never trusted.
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return false;
  if (publicUrl && parseUrl(publicUrl)?.origin === parsed.origin) return true;
  // Host carries no scheme: read it with the Origin's, so a default port compares equal either way.
  return host !== undefined && parseUrl(`${parsed.protocol}//${host}`)?.host === parsed.host;
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
