// The Content-Security-Policy (and HSTS) of the platform's own pages, set per request before
// Next.js renders. Scripts run only with this request's nonce ('strict-dynamic' lets Next's
// chunks and workers load what they need); there is no 'unsafe-inline' for scripts. Next takes
// the nonce for its own script tags from the request's Content-Security-Policy header; the root
// layout reads it from `nonceHeader` for the theme script. App files (/a/<id>/… served by
// server/apps/app-http.ts, before Next) keep their own sandboxed policy.
import crypto from "node:crypto";
import type http from "node:http";

/** The request header that carries this request's nonce to the root layout. */
export const nonceHeader = "x-canopy-nonce";

export function platformPagePolicy(options: { nonce: string; host: string | undefined; dev: boolean }): string {
  // CSP3 lets 'self' cover same-host WebSockets, but not every browser a thin device runs does.
  const sockets = options.host && /^[a-z0-9.:[\]-]+$/i.test(options.host) ? ` ws://${options.host} wss://${options.host}` : "";
  return [
    "default-src 'self'",
    // React's development build evaluates code for its debugging aids; production never does.
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // React renders style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    // hls.js feeds the player through Media Source blobs.
    "media-src 'self' blob:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "frame-ancestors 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

export function applyPageSecurityHeaders(request: http.IncomingMessage, response: http.ServerResponse, options: { publicUrl: string | undefined; dev: boolean }): void {
  // Only where the operator says the site is https: HSTS on a plain-http origin would lock users out.
  if (options.publicUrl?.startsWith("https://")) response.setHeader("strict-transport-security", "max-age=31536000");
  // Next's chunks and Monaco's workers: a worker runs under the policy of its own response, where
  // a nonce means nothing and 'strict-dynamic' would refuse the chunks it imports.
  const url = request.url ?? "/";
  if (url.startsWith("/_next/") || url.startsWith("/api/")) return;
  const nonce = crypto.randomBytes(18).toString("base64");
  const policy = platformPagePolicy({ nonce, host: request.headers.host, dev: options.dev });
  // Whatever the client sent under these names is replaced: only the server chooses the nonce.
  request.headers["content-security-policy"] = policy;
  request.headers[nonceHeader] = nonce;
  response.setHeader("content-security-policy", policy);
}
