// Which of an endpoint's response headers reach the client. Endpoints answer on the platform's
// origin, so a header that acts for that origin (redirects, CORS, cookies, preload links, refresh,
// security policies) is the platform's to set. An app sets the allow-list below, a `location`
// that stays inside the app or goes to an origin app.json's `redirects` declares, and CORS for
// the origins its `cors` declares, never with credentials. The reviewer sees both lists.
import type { AppLogEntry, AppTarget } from "./runtime-contract";
import type { AppManifest } from "./manifest";

/** Headers that describe the app's own content and nothing beyond it. */
const appSettableHeaders = new Set(["content-type", "content-language", "cache-control", "expires", "etag", "last-modified", "vary", "retry-after", "allow"]);
/** The app's own headers: any name under this prefix. */
const appHeaderPrefix = "x-app-";
/** Meaningful only beside an access-control-allow-origin that app.json's cors admits. */
const corsCompanionHeaders = new Set(["access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age"]);

/** Set on every endpoint response after the app's headers (as app-http.ts sets nosniff on every response), so neither can be overridden. */
export const platformEndpointHeaders = {
  // An app's HTML must not run with the platform's origin: its pages belong under /files.
  "content-security-policy": "sandbox; default-src 'none'",
} as const;
const platformOwnedHeaders = new Set([...Object.keys(platformEndpointHeaders), "x-content-type-options", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"]);

/** Stands for the platform's origin while resolving a location: whatever resolves to it stays on the platform. */
const platformBase = "http://platform.invalid";

export type ResponseOrigin = {
  appId: string;
  /** The endpoints' base the request came through: /apps/<id>/api or /apps/<id>/preview/api. */
  apiBase: string;
  /** The request's path and query on the platform. */
  requestUrl: string;
  manifest: Pick<AppManifest, "redirects" | "cors">;
};
export type DroppedHeader = { name: string; reason: string };

/** The app's headers the client may see, and those dropped with why. */
export function filterAppResponseHeaders(headers: Record<string, string>, origin: ResponseOrigin): { headers: Record<string, string>; dropped: DroppedHeader[] } {
  const allowOrigin = headers["access-control-allow-origin"];
  const corsAdmitted = allowOrigin !== undefined && (origin.manifest.cors.includes("*") || origin.manifest.cors.includes(allowOrigin));
  const kept: Record<string, string> = {};
  const dropped: DroppedHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const verdict = headerVerdict(name, value, origin, corsAdmitted);
    if (typeof verdict === "string") kept[name] = verdict;
    else dropped.push({ name, reason: verdict.reason });
  }
  return { headers: kept, dropped };
}

/** The value to send, or why the header is dropped. */
function headerVerdict(name: string, value: string, origin: ResponseOrigin, corsAdmitted: boolean): string | { reason: string } {
  if (appSettableHeaders.has(name) || name.startsWith(appHeaderPrefix)) return value;
  if (name === "location") return appLocation(value, origin);
  if (name === "access-control-allow-origin") return corsAdmitted ? value : { reason: `${value} is not in app.json's cors` };
  if (corsCompanionHeaders.has(name)) return corsAdmitted ? value : { reason: "only sent beside an access-control-allow-origin that app.json's cors admits" };
  // Credentials would let another site read what the platform's session cookie unlocks.
  if (name === "access-control-allow-credentials") return { reason: "apps never share the platform's credentials" };
  if (platformOwnedHeaders.has(name)) return { reason: "the platform sets it" };
  return { reason: "not a header apps may set (docs/apps.md lists them)" };
}

/**
 * A path of the app itself (its endpoints, files or pages), or a URL on an origin app.json's
 * `redirects` declares. The browser gets the resolved form, never the app's text, so
 * "//host", backslashes and dot segments cannot change where it goes.
 */
function appLocation(value: string, origin: ResponseOrigin): string | { reason: string } {
  const ownRoots = [`/apps/${origin.appId}/`, `/a/${origin.appId}/`];
  // "/notes/1" names the app's own endpoint, as request.path does.
  const appRelative = value.startsWith("/") && !value.startsWith("//") && !ownRoots.some((root) => value.startsWith(root));
  const reference = appRelative ? origin.apiBase + value : value;
  const base = platformBase + origin.requestUrl;
  if (!URL.canParse(reference, base)) return { reason: `${value} is not a URL` };
  const url = new URL(reference, base);
  if (url.origin === platformBase) return ownRoots.some((root) => url.pathname.startsWith(root)) ? url.pathname + url.search + url.hash : { reason: `${value} leaves the app` };
  return origin.manifest.redirects.includes(url.origin) ? url.href : { reason: `${url.origin} is not in app.json's redirects` };
}

/** At most this many header names are reported per deployment: random names cannot flood the log. */
const maxReportedPerDeployment = 50;

/**
 * Writes each dropped header to the app's log once per deployment (`deployment` is the served
 * deployment's object, so a new deploy or preview reports again).
 */
export function createHeaderDropReporter(appendLog: (appId: string, target: AppTarget, entry: Pick<AppLogEntry, "level" | "message">) => void) {
  const reported = new WeakMap<object, Set<string>>();
  return function reportDropped(deployment: { appId: string; target: AppTarget }, dropped: DroppedHeader[]): void {
    if (!dropped.length) return;
    let names = reported.get(deployment);
    if (!names) reported.set(deployment, (names = new Set()));
    for (const { name, reason } of dropped) {
      if (names.has(name) || names.size >= maxReportedPerDeployment) continue;
      names.add(name);
      appendLog(deployment.appId, deployment.target, { level: "warn", message: `Response header "${name}" dropped: ${reason}. Reported once per deployment.` });
    }
  };
}
