// Turns tRPC client errors into words for forms. Duck-typed so it adds nothing to the bundle.

export type ErrorInfo = {
  /** tRPC code such as "CONFLICT" or "BAD_REQUEST"; undefined for network failures. */
  code?: string;
  message: string;
  /** Messages per input field, parsed from "field: message; other: message". */
  fields: Record<string, string>;
};

const networkMessage = "Could not reach the server. Check your connection and try again.";

export function errorInfo(error: unknown): ErrorInfo {
  const data = (error as { data?: { code?: unknown } } | null)?.data;
  const code = typeof data?.code === "string" ? data.code : undefined;
  const raw = error instanceof Error ? error.message : "";
  if (!code) {
    return { message: /fetch|network|load failed/i.test(raw) || !raw ? networkMessage : raw, fields: {} };
  }
  if (code === "INTERNAL_SERVER_ERROR") return { code, message: "Something went wrong on the server. Try again.", fields: {} };
  if (code === "TOO_MANY_REQUESTS") return { code, message: "Too many attempts. Wait a moment and try again.", fields: {} };
  if (code === "UNAUTHORIZED") return { code, message: "Your session has ended. Sign in again.", fields: {} };
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const part of raw.split("; ")) {
    const match = /^([A-Za-z_][\w.]*): (.+)$/.exec(part);
    if (match) fields[match[1]!] ??= match[2]!;
    else if (part) general.push(part);
  }
  return { code, message: general.join(" ") || raw || "Request failed", fields };
}
