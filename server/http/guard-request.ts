// Checks that run before Next.js sees an API request: bodies over the limit are refused by their
// declared length (and bodies without one are refused, so nothing unbounded is buffered), and
// `/api/x/` is served as `/api/x` (Open360 clients call `GET /api/external/`). The render farm's
// REST API under `/render/` (Jiomosa's paths) gets the same treatment.
import type http from "node:http";

export function guardApiRequest(request: http.IncomingMessage, response: http.ServerResponse, maxBodyBytes: number): boolean {
  const url = request.url ?? "/";
  const prefix = url.startsWith("/api/") ? "/api/" : url.startsWith("/render/") ? "/render/" : null;
  if (!prefix) return true;
  // Route handlers see no socket: hand them the peer address (any client-sent value is replaced).
  request.headers["x-canopy-remote-address"] = request.socket.remoteAddress ?? "";
  const [pathname, query] = splitOnce(url, "?");
  if (pathname.length > prefix.length && pathname.endsWith("/")) request.url = pathname.replace(/\/+$/, "") + (query === undefined ? "" : `?${query}`);
  const method = request.method ?? "GET";
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  const length = request.headers["content-length"];
  if (length === undefined) {
    if (request.headers["transfer-encoding"]) return refuse(response, 411, "LENGTH_REQUIRED", "Send a Content-Length with the body");
    return true;
  }
  if (!/^\d+$/.test(length)) return refuse(response, 400, "BAD_REQUEST", "Invalid Content-Length");
  if (Number(length) > maxBodyBytes) return refuse(response, 413, "PAYLOAD_TOO_LARGE", `Body larger than ${maxBodyBytes} bytes`);
  return true;
}

function refuse(response: http.ServerResponse, status: number, code: string, message: string): false {
  response.writeHead(status, { "content-type": "application/json", connection: "close" });
  response.end(JSON.stringify({ error: { code, message } }));
  return false;
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + 1)];
}
