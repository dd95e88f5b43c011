// Seeded generators of hostile input for the fuzz test: a PRNG (so a seed replays a run), pools
// of bad path segments, query strings, bodies and values, and inputs shaped like a zod schema with
// one part of them made hostile, so bad values get past the outer checks and reach deeper code.

export type Rng = { next(): number; int(below: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean };

/** mulberry32: tiny, fast and good enough to spread cases; the same seed gives the same run. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return { next, int, pick: (items) => items[int(items.length)]!, chance: (p) => next() < p };
}

function randomBytes(rng: Rng, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => rng.int(256)));
}

/** Nested arrays, built without recursion. */
export function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

// Numbers written into JSON text as they are (JSON.stringify cannot write 1e999 or 2^70 exactly).
const rawNumberMark = "\u0001RAW:";
const rawNumber = (text: string) => `${rawNumberMark}${text}\u0001`;

/** JSON text of a value; raw number marks become the numbers they hold. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001RAW:([^"\\]+)\\u0001"/g, "$1");
}

const hostileStrings = [
  "\u0000",
  "name\u0000",
  "\ud800",
  "a\udfff\ud800b",
  "x".repeat(70_000),
  "%ff",
  "%00",
  "../../../../etc/passwd",
  "\u202e\u0007\u001b[31m",
  "💥🌲",
  "",
  " ",
  "\r\n\r\n",
  "<img src=x onerror=alert(1)>",
  "'; DROP TABLE \"User\"; --",
  "9".repeat(400),
  "__proto__",
];

const hostileNumbers = [2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e21, -1, -0, 0.5, 2 ** 64];

/** A hostile leaf or subtree: NUL, bad UTF-16, huge or raw numbers, deep nesting, wrong types. */
export function hostileValue(rng: Rng): unknown {
  switch (rng.int(5)) {
    case 0:
      return rng.pick(hostileStrings);
    case 1:
      return rng.pick(hostileNumbers);
    case 2:
      return rawNumber(rng.pick(["1e999", "-1e999", "123456789012345678901234567890", "1e-400", "-0.0e0"]));
    case 3:
      return rng.pick<unknown>([null, true, false, [], {}, [[]], { "": {} }, JSON.parse('{"__proto__":{"polluted":true}}'), { constructor: { prototype: { polluted: true } } }]);
    default:
      return deepArray(rng.pick([65, 200, 2000]));
  }
}

/** Path segments as they go on the wire: bad escapes, overlong UTF-8, NUL, raw bytes, traversal. */
export function hostileSegment(rng: Rng, plausible: readonly string[]): string {
  const pool = [
    "%ff",
    "%E0%A4%A",
    "%00",
    "a%00b",
    "%C0%80",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%",
    "%%30",
    "%zz",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e",
    "a".repeat(3000),
    "%F0%9F%92%A5",
    "\xff\xfe",
    "9".repeat(30),
    "-1",
    "1e308",
  ];
  if (rng.chance(0.2)) return rng.pick(plausible);
  if (rng.chance(0.15)) return [...randomBytes(rng, 1 + rng.int(12))].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
  return rng.pick(pool);
}

export function hostileQuery(rng: Rng): string {
  return rng.pick([
    "",
    "?x=%ff",
    "?username=%00",
    "?username=fuzzstaff%00",
    "?lim=1e308",
    "?lim=-99999999999999999999",
    `?username=${"a".repeat(5000)}`,
    "?%zz=1",
    "?input=%7B",
    "?batch=1&input=%5B%5D",
    "?a[b][c][d]=1&a=2",
    "?preview=%C0%80",
    "?state=OPEN&app=%E0%A4%A",
    "?callbackUrl=javascript:alert(1)",
  ]);
}

/** Request bodies: hostile JSON values, deep nesting as text, invalid UTF-8 and random bytes. */
export function hostileBody(rng: Rng, wrap: (value: unknown) => unknown = (value) => value): string | Buffer {
  switch (rng.int(6)) {
    case 0:
      return "[".repeat(100_000) + "]".repeat(100_000);
    case 1:
      return Buffer.concat([Buffer.from('{"json":{"name":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]), Buffer.from('"}}')]);
    case 2:
      return randomBytes(rng, rng.int(400));
    case 3:
      return rng.pick(["", "{", "null", "[]", '"text"', "1e999", "{}"]);
    default:
      return toJsonText(wrap(rng.chance(0.5) ? hostileValue(rng) : { [rng.pick(["url", "name", "text", "id", "session_id"])]: hostileValue(rng) }));
  }
}

type ZodDef = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): ZodDef | undefined => (schema as { _zod?: { def?: ZodDef } } | undefined)?._zod?.def;

/** A value shaped like the schema, with ids and names from `plausible` so it often passes. */
export function plausibleFor(schema: unknown, rng: Rng, plausible: readonly string[], depth = 0): unknown {
  const def = defOf(schema);
  if (!def || depth > 8) return rng.pick(plausible);
  switch (def.type) {
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(shape)
          .filter(([, child]) => defOf(child)?.type !== "optional" || rng.chance(0.6))
          .map(([key, child]) => [key, plausibleFor(child, rng, plausible, depth + 1)]),
      );
    }
    case "array":
      return Array.from({ length: 1 + rng.int(2) }, () => plausibleFor(def.element, rng, plausible, depth + 1));
    case "tuple":
      return (def.items as unknown[]).map((item) => plausibleFor(item, rng, plausible, depth + 1));
    case "record":
      return { [rng.pick(plausible)]: plausibleFor(def.valueType, rng, plausible, depth + 1) };
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
      return plausibleFor(def.innerType, rng, plausible, depth + 1);
    case "pipe":
      return plausibleFor(def.in, rng, plausible, depth + 1);
    case "lazy":
      return plausibleFor((def.getter as () => unknown)(), rng, plausible, depth + 1);
    case "union":
      return plausibleFor(rng.pick(def.options as unknown[]), rng, plausible, depth + 1);
    case "intersection":
      return Object.assign({}, plausibleFor(def.left, rng, plausible, depth + 1), plausibleFor(def.right, rng, plausible, depth + 1));
    case "literal":
      return rng.pick(def.values as unknown[]);
    case "enum":
      return rng.pick(Object.values(def.entries as Record<string, unknown>));
    case "number":
    case "int":
      return rng.pick([1, 2, 10]);
    case "boolean":
      return rng.chance(0.5);
    case "null":
      return null;
    case "undefined":
    case "void":
      return undefined;
    default:
      return rng.pick(plausible);
  }
}

/** The value with one leaf or subtree (or, sometimes, all of it) replaced by a hostile one. */
export function withHostilePart(value: unknown, rng: Rng): unknown {
  if (value === null || typeof value !== "object" || rng.chance(0.15)) return hostileValue(rng);
  const copy: Record<string, unknown> = Array.isArray(value) ? [...(value as unknown[])] as unknown as Record<string, unknown> : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (!keys.length || rng.chance(0.1)) {
    copy[rng.pick(["\u0000", "extra", "constructor", "x".repeat(500)])] = hostileValue(rng);
    return copy;
  }
  const key = rng.pick(keys);
  copy[key] = withHostilePart(copy[key], rng);
  return copy;
}
