// Checks that run before anything else in the custom server sees a request (app endpoints,
// Next.js pages, tRPC, next-auth, route handlers):
// - A state-changing request that carries cookies must come from the platform's own pages
//   (cross-site.ts), on every path, so a route added later is covered without doing anything. On
//   the JSON APIs its body must also be declared application/json: HTML forms and no-cors fetches,
//   the only cross-site writes a browser sends without asking first, cannot declare it. next-auth
//   takes forms from the platform's own sign-in and sign-out, so /api/auth keeps the Origin check
//   only. Calls without cookies (API tokens, the shared secret) carry no ambient authority and
//   are left alone.
// - A target that does not decode, or holds a NUL, is a 400 on every path (request-target.ts).
// - API bodies over the limit are refused by their declared length (and bodies without one are
//   refused, so nothing unbounded is buffered).
// - `/api/x/` is served as `/api/x` (Open360 clients call `GET /api/external/`). The render farm's
//   REST API under `/render/` (Jiomosa's paths) gets the same treatment.
import type http from "node:http";
import { AppError, errorBody, httpStatusOf, isAppError } from "../errors";
import { foreignSiteOf } from "./cross-site";
import { malformedTargetError } from "./request-target";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

type GuardOptions = {
  maxBodyBytes: number;
  /** CANOPY_PUBLIC_URL: its pages are the platform's own too. */
  publicUrl?: string;
};

/** False when the request was refused (the response is then sent). */
export function guardRequest(request: http.IncomingMessage, response: http.ServerResponse, options: GuardOptions): boolean {
  try {
    checkRequest(request, options);
    return true;
  } catch (error) {
    if (!isAppError(error)) throw error;
    // The body is not read: close rather than leave it in the connection.
    response.writeHead(httpStatusOf(error.code), { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify(errorBody(error)));
    return false;
  }
}

function checkRequest(request: http.IncomingMessage, options: GuardOptions): void {
  const url = request.url ?? "/";
  const malformed = malformedTargetError(url);
  if (malformed) throw malformed;
  const prefix = url.startsWith("/api/") ? "/api/" : url.startsWith("/render/") ? "/render/" : null;
  const [pathname, query] = splitOnce(url, "?");
  if (prefix) {
    // Route handlers see no socket: hand them the peer address (any client-sent value is replaced).
    request.headers["x-canopy-remote-address"] = request.socket.remoteAddress ?? "";
    if (pathname.length > prefix.length && pathname.endsWith("/")) request.url = pathname.replace(/\/+$/, "") + (query === undefined ? "" : `?${query}`);
  }
  if (safeMethods.has(request.method ?? "GET")) return;
  const withCookies = Boolean(request.headers.cookie);
  if (withCookies) {
    const foreign = foreignSiteOf(request.headers, options.publicUrl);
    if (foreign) throw new AppError("FORBIDDEN", foreign);
  }
  if (!prefix) return;
  const hasBody = checkDeclaredLength(request.headers, options.maxBodyBytes);
  if (withCookies && !pathname.startsWith("/api/auth/")) checkJsonBody(request.headers, hasBody);
}

/** Refuses bodies of unknown or excessive length; true when there is a body. */
function checkDeclaredLength(headers: http.IncomingHttpHeaders, maxBodyBytes: number): boolean {
  const length = headers["content-length"];
  if (length === undefined) {
    if (headers["transfer-encoding"]) throw new AppError("LENGTH_REQUIRED", "Send a Content-Length with the body");
    return false;
  }
  if (!/^\d+$/.test(length)) throw new AppError("BAD_REQUEST", "Invalid Content-Length");
  if (Number(length) > maxBodyBytes) throw new AppError("PAYLOAD_TOO_LARGE", `Body larger than ${maxBodyBytes} bytes`);
  return Number(length) > 0;
}

/** A declared type must be JSON; no type is fine only without a body (Jiomosa clients POST nothing). */
function checkJsonBody(headers: http.IncomingHttpHeaders, hasBody: boolean): void {
  const type = headers["content-type"];
  const refused = type === undefined ? hasBody : !/^application\/json\s*(;|$)/i.test(type.trim());
  if (refused) throw new AppError("UNSUPPORTED_MEDIA_TYPE", `Send the body as application/json (got ${type === undefined ? "no Content-Type" : type.slice(0, 100)})`);
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + 1)];
}
