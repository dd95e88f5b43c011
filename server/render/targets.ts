// Turns what a client asked to load into a render target. Canopy pages on this server (a path, or
// a URL on the origin the client used or the server's own URL) become paths the worker loads
// from the server it knows; anything else must pass the URL policy — which also knows Canopy's
// public origin — and goes to the worker as a URL. The worker checks again after DNS
// resolution, on the navigation and on every redirect.
import { AppError } from "../errors";
import type { RenderTarget } from "../internal/protocol";
import { checkUrl, isOwnPagePath, parseRequestedUrl, type UrlPolicy } from "./url-policy";

export function toRenderTarget(raw: string, policy: UrlPolicy, localOrigins: readonly string[] = []): RenderTarget {
  const value = raw.trim();
  const local = (url: URL): RenderTarget => {
    if (!isOwnPagePath(url.pathname)) throw new AppError("FORBIDDEN", `Refused to load: ${url.pathname} is not a Canopy page that may be rendered`);
    return { kind: "canopy", path: url.pathname + url.search + url.hash };
  };
  if (value.startsWith("/") && !value.startsWith("//")) return local(new URL(value, "http://canopy.invalid"));
  const parsed = parseRequestedUrl(value);
  if ("error" in parsed) throw new AppError("BAD_REQUEST", parsed.error);
  if ((parsed.protocol === "http:" || parsed.protocol === "https:") && localOrigins.includes(parsed.origin) && !parsed.username && !parsed.password) return local(parsed);
  const verdict = checkUrl(parsed, policy, { document: true });
  if (!verdict.ok) throw new AppError("FORBIDDEN", `Refused to load: ${verdict.reason}`);
  return { kind: "external", url: parsed.href };
}
