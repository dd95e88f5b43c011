// Helpers for the render farm's REST handlers (app/render/...): Jiomosa clients often POST with
// an empty body, and answers name the origin the client used.
import type { z } from "zod";
import { readJson } from "../http/route";

export function requestOrigin(request: Request): string {
  return new URL(request.url).origin;
}

/** A bounded JSON body that may be empty (then `{}`). */
export function readOptionalJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  return readJson(request, schema, { emptyBody: {} });
}

/** Jiomosa answers with `success`; so do we. */
export function ok(body: Record<string, unknown>, status = 200): Response {
  return Response.json({ success: true, ...body }, { status, headers: { "cache-control": "no-store" } });
}
