// What no input schema should have to think about, checked once at every boundary (JSON bodies,
// tRPC inputs, socket payloads) before a schema or the database sees it: NUL, which PostgreSQL
// cannot store in text (it answers "invalid byte sequence"), unpaired UTF-16 surrogates (JSON's
// `\ud800` escapes; they are not text and cannot be encoded as UTF-8), and nesting deeper than any
// real input, which recursive code downstream would not survive. Each is a BAD_REQUEST.
import { AppError } from "../errors";

/** Deeper than any input Canopy takes (a deploy proposal's manifest is about ten levels). */
export const maxInputDepth = 64;

// With the `u` flag a surrogate pair is one code point, so only unpaired halves match.
// eslint-disable-next-line no-control-regex -- NUL is what this looks for
const unstorable = /[\u0000\uD800-\uDFFF]/u;

/** Why the value is refused, or null. Iterative, so no nesting depth can overflow the stack. */
export function uncleanInputReason(value: unknown): string | null {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length) {
    const next = pending.pop()!;
    if (typeof next.value === "string") {
      if (unstorable.test(next.value)) return "Text may not contain NUL characters or unpaired surrogates";
      continue;
    }
    if (typeof next.value !== "object" || next.value === null || ArrayBuffer.isView(next.value) || next.value instanceof ArrayBuffer) continue;
    if (next.depth >= maxInputDepth) return `Input is nested deeper than ${maxInputDepth} levels`;
    for (const child of childrenOf(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return null;
}

/** Keys are input too; superjson can also send a Map or a Set. */
function childrenOf(value: object): unknown[] {
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value].flat();
  return Object.entries(value).flat();
}

export function assertCleanInput(value: unknown, what = "input"): void {
  const reason = uncleanInputReason(value);
  if (reason) throw new AppError("BAD_REQUEST", `Invalid ${what}: ${reason}`);
}
