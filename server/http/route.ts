// Wraps REST route handlers: AppError → its HTTP status with a JSON body, anything else → a
// logged 500 that reveals nothing. Also resolves the caller and reads bounded JSON bodies.
import { resolveCaller, type Caller } from "../auth/caller";
import { AppError, parseInput, errorBody, httpStatusOf, isAppError } from "../errors";
import { assertCleanInput } from "../input/refuse-unclean-input";
import { services } from "../services";
import type { z } from "zod";

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response> | Response;

export function jsonRoute<P = Record<string, string | string[]>>(handler: Handler<P>): Handler<P> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (isAppError(error)) return Response.json(errorBody(error), { status: httpStatusOf(error.code) });
      console.error(JSON.stringify({ level: "error", scope: "http", message: "route failed", path: new URL(request.url).pathname, error: String(error) }));
      return Response.json({ error: { code: "INTERNAL", message: "Internal error" } }, { status: 500 });
    }
  };
}

export async function callerOf(request: Request): Promise<Caller | null> {
  const { db, secrets } = services();
  return resolveCaller({
    prisma: db.prisma,
    authSecret: secrets.authSecret,
    authorization: request.headers.get("authorization"),
    cookie: request.headers.get("cookie"),
  });
}

/**
 * Reads and validates a JSON body; too large, malformed, unclean (refuse-unclean-input.ts) or
 * invalid bodies are 4xx. With
 * `emptyBody`, an empty body stands for that value (clients that POST nothing).
 */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, options: { emptyBody?: unknown } = {}): Promise<z.output<S>> {
  const limit = services().env.MAX_BODY_BYTES;
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw new AppError("PAYLOAD_TOO_LARGE", `Body larger than ${limit} bytes`);
  let value: unknown = options.emptyBody;
  if (!("emptyBody" in options) || text.trim()) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError("BAD_REQUEST", "Body is not valid JSON");
    }
  }
  assertCleanInput(value, "body");
  return parseInput(schema, value);
}
