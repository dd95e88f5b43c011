// The isolate's own UTF-8 must agree with Node's (WHATWG) on everything, malformed input included.
import { describe, expect, it } from "vitest";
import { utf8Source } from "@/worker/apps/isolate-utf8";

const { utf8Encode, utf8Decode, utf8Length } = new Function(`${utf8Source}; return { utf8Encode, utf8Decode, utf8Length };`)() as {
  utf8Encode(text: string): Uint8Array;
  utf8Decode(bytes: Uint8Array): string;
  utf8Length(text: string): number;
};

/** A deterministic generator, so a failure can be reproduced. */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
}

describe("isolate UTF-8", () => {
  it("encodes like Buffer: ASCII, BMP, astral, lone and reversed surrogates", () => {
    for (const text of ["", "hello", "héllo wörld", "日本語", "😀 a 😀", "\ud800", "x\udc00y", "\udc00\ud800", "\ud83d", "end\ud83d"]) {
      expect(Buffer.from(utf8Encode(text))).toEqual(Buffer.from(text, "utf8"));
      expect(utf8Length(text)).toBe(Buffer.byteLength(text));
    }
  });

  it("decodes like Buffer: overlongs, surrogates, truncated and stray continuation bytes", () => {
    const cases = [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0x80, 0x41], [0xe2, 0x82], [0xff, 0xfe, 0x41], [0xf0, 0x9f, 0x98, 0x80]];
    for (const bytes of cases) expect(utf8Decode(new Uint8Array(bytes))).toBe(Buffer.from(bytes).toString("utf8"));
  });

  it("agrees with Buffer on 20 000 random strings and byte arrays", () => {
    const next = random(7);
    const pieces = ["a", "\u00e9", "\u20ac", "\ud83d\ude00", "\ud800", "\udfff", "\u0000", "\uffff"];
    for (let round = 0; round < 10_000; round++) {
      let text = "";
      for (let i = next(12); i > 0; i--) text += next(3) === 0 ? String.fromCharCode(next(0x10000)) : pieces[next(pieces.length)];
      expect(Buffer.from(utf8Encode(text))).toEqual(Buffer.from(text, "utf8"));
      expect(utf8Decode(utf8Encode(text))).toBe(Buffer.from(text, "utf8").toString("utf8"));
      expect(utf8Length(text)).toBe(Buffer.byteLength(text));
      const bytes = new Uint8Array(next(10));
      for (let i = 0; i < bytes.length; i++) bytes[i] = next(4) === 0 ? next(256) : [0x41, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4][next(8)]!;
      expect(utf8Decode(bytes)).toBe(Buffer.from(bytes).toString("utf8"));
    }
  });

  it("decodes long input in chunks without losing characters", () => {
    const text = "€😀".repeat(5000);
    expect(utf8Decode(utf8Encode(text))).toBe(text);
  });
});
