// Session tokens are decrypted once and remembered by token: what is remembered must never admit
// a token that decryption would refuse (another secret, tampering, expiry).
import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { sessionSubject } from "../../server/auth/caller";

const secret = "a-test-secret-of-sufficient-length-123456";

describe("sessionSubject", () => {
  it("answers the token's user, the same when asked again", async () => {
    const token = await encode({ token: { sub: "user-1" }, secret, maxAge: 3600 });
    expect(await sessionSubject(token, secret)).toBe("user-1");
    expect(await sessionSubject(token, secret)).toBe("user-1");
  });

  it("refuses a remembered token under another secret, and a tampered one", async () => {
    const token = await encode({ token: { sub: "user-2" }, secret, maxAge: 3600 });
    expect(await sessionSubject(token, secret)).toBe("user-2");
    expect(await sessionSubject(token, "another-secret-of-sufficient-length-9876")).toBeNull();
    const tampered = `${token.slice(0, -4)}${token.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    expect(await sessionSubject(tampered, secret)).toBeNull();
  });

  it("refuses an expired token", async () => {
    const token = await encode({ token: { sub: "user-3" }, secret, maxAge: -60 });
    expect(await sessionSubject(token, secret)).toBeNull();
  });
});
