// A request target that does not decode (bad percent-encoding, or bytes that are not UTF-8) makes
// Next.js fail with a 500 while matching routes, and a NUL in a path or query parameter would
// reach PostgreSQL, which refuses it. Both are refused for every route, before Next.js or an app
// sees the request.
import { AppError } from "../errors";

export function malformedTargetError(url: string): AppError | null {
  const queryAt = url.indexOf("?");
  const parts = queryAt < 0 ? [url] : [url.slice(0, queryAt), url.slice(queryAt + 1)];
  for (const part of parts) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return new AppError("BAD_REQUEST", "The request target is not valid percent-encoded UTF-8");
    }
    if (decoded.includes("\u0000")) return new AppError("BAD_REQUEST", "The request target may not contain NUL");
  }
  return null;
}
