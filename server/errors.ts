// Domain code throws AppError with a code; this file is the one place that maps codes to HTTP
// statuses, tRPC codes and socket error payloads.
import type { z } from "zod";
export const appErrorCodes = {
  BAD_REQUEST: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  CONFLICT: { http: 409, trpc: "CONFLICT" },
  LENGTH_REQUIRED: { http: 411, trpc: "BAD_REQUEST" },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  TOO_MANY_REQUESTS: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  TIMEOUT: { http: 504, trpc: "TIMEOUT" },
  UNAVAILABLE: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  INTERNAL: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const;

export type AppErrorCode = keyof typeof appErrorCodes;
export type TrpcErrorCode = (typeof appErrorCodes)[AppErrorCode]["trpc"];

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: AppErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError || (error instanceof Error && error.name === "AppError" && "code" in error);
}

export function httpStatusOf(code: AppErrorCode): number {
  return appErrorCodes[code].http;
}

export function trpcCodeOf(code: AppErrorCode): TrpcErrorCode {
  return appErrorCodes[code].trpc;
}

/** The body every JSON route answers with on error. */
export function errorBody(error: AppError): { error: { code: AppErrorCode; message: string } } {
  return { error: { code: error.code, message: error.message } };
}

/** Socket acks and `error` events carry this shape. */
export function socketErrorOf(error: unknown): { code: AppErrorCode; message: string } {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { code: "INTERNAL", message: "Internal error" };
}

/** Turns zod issues into one readable message naming the fields. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** Validates input inside domain code: a failure is a BAD_REQUEST naming the fields, never a 500. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("BAD_REQUEST", `${what ? `Invalid ${what}: ` : ""}${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}
