// Helpers for the render farm's REST handlers (app/render/...): Jiomosa clients often POST with
// an empty body, and answers name the origin the client used.
import type { z } from "zod";
import { AppError, describeIssues } from "../errors";
import { services } from "../services";

export function requestOrigin(request: Request): string {
  return new URL(request.url).origin;
}

/** A bounded JSON body that may be empty (then `{}`). */
export async function readOptionalJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const limit = services().env.MAX_BODY_BYTES;
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw new AppError("PAYLOAD_TOO_LARGE", `Body larger than ${limit} bytes`);
  let value: unknown = {};
  if (text.trim()) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError("BAD_REQUEST", "Body is not valid JSON");
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("BAD_REQUEST", describeIssues(parsed.error.issues));
  return parsed.data;
}

/** Jiomosa answers with `success`; so do we. */
export function ok(body: Record<string, unknown>, status = 200): Response {
  return Response.json({ success: true, ...body }, { status, headers: { "cache-control": "no-store" } });
}
