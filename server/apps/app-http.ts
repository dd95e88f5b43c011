// App HTTP in the custom server, before Next.js (the fast path): endpoints at
// /apps/<id>/api/<path> (preview: /apps/<id>/preview/api/<path>, owner and staff only), the
// merged OpenAPI document, and a deployment's public files at /apps/<id>/files/<path> under a
// sandboxing CSP. Authn policies are checked here before any worker is asked.
import type http from "node:http";
import { resolveCaller, type Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { AppError, httpStatusOf, isAppError } from "../errors";
import type { Logger } from "../logger";
import { authnAllows, matchEndpoint, needsCaller, openApiDocument } from "./endpoint-routing";
import type { AppRuntime, ServedApp } from "./runtime-service";
import { pageCsp } from "./pages/page-csp";
import { createHeaderDropReporter, filterAppResponseHeaders, platformEndpointHeaders } from "./app-response-headers";

const appPathPattern = /^\/apps\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\/(preview\/)?(api|files)(\/[^?]*)?(?:\?(.*))?$/;

export const appFilesCsp =
  "sandbox allow-scripts allow-forms allow-popups allow-modals; default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'self'";

const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  woff2: "font/woff2",
  wasm: "application/wasm",
};

/** Request headers an app sees (never the caller's cookies or tokens). */
const forwardedHeaders = ["accept", "accept-language", "content-type", "user-agent", "x-requested-with", "if-none-match", "origin", "referer"];

export function createAppHttpHandler(deps: { runtime: AppRuntime; prisma: PrismaClient; authSecret: string; maxBodyBytes: number; logger: Logger }) {
  async function callerOf(request: http.IncomingMessage): Promise<Caller | null> {
    return resolveCaller({ prisma: deps.prisma, authSecret: deps.authSecret, authorization: request.headers.authorization, cookie: request.headers.cookie });
  }

  const reportDropped = createHeaderDropReporter(deps.runtime.appendLog);

  function send(response: http.ServerResponse, status: number, headers: Record<string, string>, body: Uint8Array | string): void {
    // After the given headers, so an app cannot turn sniffing back on.
    response.writeHead(status, { ...headers, "x-content-type-options": "nosniff", "content-length": String(Buffer.byteLength(body)) });
    response.end(body);
  }

  function sendError(response: http.ServerResponse, status: number, code: string, message: string): void {
    send(response, status, { "content-type": "application/json" }, JSON.stringify({ error: { code, message } }));
  }

  function readBody(request: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > deps.maxBodyBytes) {
          reject(new AppError("PAYLOAD_TOO_LARGE", `Body larger than ${deps.maxBodyBytes} bytes`));
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      request.on("end", () => resolve(Buffer.concat(chunks)));
      request.on("error", reject);
    });
  }

  async function servedFor(appId: string, preview: boolean, caller: () => Promise<Caller | null>): Promise<ServedApp> {
    const served = await deps.runtime.served(appId, preview ? "preview" : "live");
    if (preview) {
      const who = await caller();
      if (!who) throw new AppError("UNAUTHORIZED", "Sign in to use the preview");
      const ownerId = served?.ownerId ?? (await deps.prisma.app.findUnique({ where: { id: appId }, select: { ownerId: true } }))?.ownerId;
      if (who.role !== "STAFF" && who.userId !== ownerId) throw new AppError("NOT_FOUND", `No app ${appId}`);
    }
    if (!served) throw new AppError("NOT_FOUND", preview ? "The preview is not running" : `No deployed app ${appId}`);
    return served;
  }

  async function serve(request: http.IncomingMessage, response: http.ServerResponse, match: RegExpExecArray): Promise<void> {
    const [, appId, preview, kind, rawPath = "/", query = ""] = match as unknown as string[];
    let cachedCaller: Promise<Caller | null> | undefined;
    const caller = () => (cachedCaller ??= callerOf(request));
    const served = await servedFor(appId!, Boolean(preview), caller);
    const method = (request.method ?? "GET").toUpperCase();

    if (kind === "files") {
      if (method !== "GET" && method !== "HEAD") return sendError(response, 405, "METHOD_NOT_ALLOWED", "Files are read with GET");
      let path: string;
      try {
        path = decodeURIComponent(rawPath.slice(1));
      } catch {
        return sendError(response, 400, "BAD_REQUEST", "Malformed path");
      }
      const file = served.files.get(path) ?? served.files.get(path ? `${path}/index.html` : "index.html");
      if (!file) return sendError(response, 404, "NOT_FOUND", `No file ${path}`);
      const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "html";
      // Revalidated on every load, so a deploy or rollback shows at once; unchanged files cost a 304.
      const etag = `"${served.deploymentId}"`;
      const headers = {
        "content-type": contentTypes[extension] ?? "application/octet-stream",
        "content-security-policy": pageCsp(appFilesCsp, served.manifest.csp),
        "cache-control": preview ? "no-store" : "no-cache",
        ...(preview ? {} : { etag }),
        "referrer-policy": "no-referrer",
      };
      if (!preview && request.headers["if-none-match"] === etag) {
        response.writeHead(304, { ...headers, "x-content-type-options": "nosniff" });
        return void response.end();
      }
      if (method === "HEAD") {
        response.writeHead(200, { ...headers, "x-content-type-options": "nosniff", "content-length": String(file.length) });
        return void response.end();
      }
      return send(response, 200, headers, file);
    }

    if (rawPath === "/openapi.json" && method === "GET") {
      return send(response, 200, { "content-type": "application/json" }, JSON.stringify(openApiDocument(served.manifest, served.appId)));
    }
    const found = matchEndpoint(served.manifest, method, rawPath);
    if (!found) return sendError(response, 404, "NOT_FOUND", `No endpoint ${rawPath}`);
    if (!found.endpoint) {
      response.setHeader("allow", found.allowed.join(", "));
      return sendError(response, 405, "METHOD_NOT_ALLOWED", `${rawPath} answers ${found.allowed.join(", ")}`);
    }
    const policies = found.endpoint.authn_policies;
    const who = needsCaller(policies) || preview ? await caller() : null;
    if (!authnAllows(policies, who)) {
      return who ? sendError(response, 403, "FORBIDDEN", "This endpoint's authentication policy does not admit you") : sendError(response, 401, "UNAUTHORIZED", "Sign in or send an API token");
    }
    const body = method === "GET" || method === "HEAD" ? Buffer.alloc(0) : await readBody(request);
    const headers: Record<string, string> = {};
    for (const name of forwardedHeaders) {
      const value = request.headers[name];
      if (typeof value === "string") headers[name] = value.slice(0, 4000);
    }
    const reply = await deps.runtime.request({
      appId: served.appId,
      target: served.target,
      method,
      endpoint: found.template,
      path: rawPath,
      url: request.url ?? rawPath,
      params: found.params,
      query,
      headers,
      body: new Uint8Array(body.buffer, body.byteOffset, body.length),
      caller: who ? { userId: who.userId, username: who.username, displayName: who.displayName, role: who.role } : null,
    });
    const apiBase = `/apps/${served.appId}/${preview ? "preview/" : ""}api`;
    const allowed = filterAppResponseHeaders(reply.headers, { appId: served.appId, apiBase, requestUrl: request.url ?? rawPath, manifest: served.manifest });
    reportDropped(served, allowed.dropped);
    send(response, reply.status, { ...allowed.headers, ...platformEndpointHeaders }, reply.body);
  }

  /** Handles the request when it is an app URL; false lets Next.js have it. */
  return function handleAppRequest(request: http.IncomingMessage, response: http.ServerResponse): boolean {
    const match = appPathPattern.exec(request.url ?? "");
    if (!match) return false;
    serve(request, response, match).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (isAppError(error)) {
        return sendError(response, httpStatusOf(error.code), error.code, error.message);
      }
      deps.logger.error("app request failed", { url: request.url, error: String(error) });
      sendError(response, 500, "INTERNAL", "Internal error");
    });
    return true;
  };
}
