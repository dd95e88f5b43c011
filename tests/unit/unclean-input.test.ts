import { describe, expect, it } from "vitest";
import { malformedTargetError } from "@/server/http/request-target";
import { maxInputDepth, uncleanInputReason } from "@/server/input/refuse-unclean-input";

describe("uncleanInputReason", () => {
  it("passes ordinary input, emoji included", () => {
    expect(uncleanInputReason({ name: "Grüße 💥", tags: ["a", "b"], n: 2 ** 60, nested: { ok: null } })).toBeNull();
    expect(uncleanInputReason(Buffer.from([0, 0xff]))).toBeNull();
  });

  it("refuses NUL and unpaired surrogates in values and keys, at any depth", () => {
    expect(uncleanInputReason("a\u0000b")).toMatch(/NUL/);
    expect(uncleanInputReason({ list: [{ text: "\ud800" }] })).toMatch(/surrogates/);
    expect(uncleanInputReason({ "key\u0000": 1 })).toMatch(/NUL/);
    expect(uncleanInputReason(new Map([["x", "\udfff"]]))).toMatch(/surrogates/);
    expect(uncleanInputReason(new Set(["\u0000"]))).toMatch(/NUL/);
  });

  it("refuses nesting deeper than the limit without overflowing the stack", () => {
    const nested = (depth: number) => {
      let value: unknown = [];
      for (let level = 0; level < depth; level++) value = [value];
      return value;
    };
    expect(uncleanInputReason(nested(maxInputDepth - 1))).toBeNull();
    expect(uncleanInputReason(nested(maxInputDepth + 1))).toMatch(/nested deeper/);
    expect(uncleanInputReason(nested(100_000))).toMatch(/nested deeper/);
  });
});

describe("malformedTargetError", () => {
  it("passes well-formed targets", () => {
    expect(malformedTargetError("/c/alice?tab=vods&q=%F0%9F%92%A5")).toBeNull();
    expect(malformedTargetError("/api/trpc/chat.history?input=%7B%22json%22%3A%7B%7D%7D")).toBeNull();
  });

  it("refuses bad percent-encoding and invalid UTF-8 in the path or the query", () => {
    for (const target of ["/c/%ff", "/a/%ff/%ff", "/api/channels/%E0%A4%A", "/live/%E0/index.m3u8", "/c/%C0%80", "/c/%ED%A0%80", "/c/x?y=%zz", "/c/x?y=%"]) {
      expect(malformedTargetError(target)?.code, target).toBe("BAD_REQUEST");
    }
  });

  it("refuses NUL in the path or the query", () => {
    expect(malformedTargetError("/render/api/session/%00/info")?.code).toBe("BAD_REQUEST");
    expect(malformedTargetError("/api/external/getStreamStatus?username=a%00")?.code).toBe("BAD_REQUEST");
  });
});
