import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../server/auth/password";
import { generateToken, hashToken, looksLikeToken } from "../../server/tokens/token-format";
import { parseCookies } from "../../server/auth/caller";
import { signUpInputSchema, hasRole } from "../../server/accounts/schemas";

describe("passwords", () => {
  it("hashes with a random salt and verifies", async () => {
    const first = await hashPassword("correct horse");
    const second = await hashPassword("correct horse");
    expect(first).not.toBe(second);
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword("correct horse", first)).toBe(true);
    expect(await verifyPassword("wrong horse", first)).toBe(false);
    expect(await verifyPassword("anything", "not-a-hash")).toBe(false);
  });
});

describe("API tokens", () => {
  it("are random, recognisable and stored only as a hash", () => {
    const a = generateToken();
    const b = generateToken();
    expect(a.token).not.toBe(b.token);
    expect(looksLikeToken(a.token)).toBe(true);
    expect(a.tokenHash).toBe(hashToken(a.token));
    expect(a.tokenHash).not.toContain(a.token.slice(4));
    expect(a.token.startsWith(a.displayPrefix)).toBe(true);
    expect(looksLikeToken("Bearer junk")).toBe(false);
  });
});

describe("account input", () => {
  it("normalises usernames and rejects bad ones with field messages", () => {
    expect(signUpInputSchema.parse({ username: " Alice_1 ", password: "12345678" }).username).toBe("alice_1");
    const result = signUpInputSchema.safeParse({ username: "a b", password: "short" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0]).sort()).toEqual(["password", "username"]);
  });

  it("ranks roles", () => {
    expect(hasRole("STAFF", "DEVELOPER")).toBe(true);
    expect(hasRole("DEVELOPER", "STAFF")).toBe(false);
    expect(hasRole("MEMBER", "MEMBER")).toBe(true);
  });
});

describe("cookies", () => {
  it("parses a Cookie header leniently", () => {
    expect(parseCookies("a=1; b=x%20y; broken; =nameless; c=%E0%A4%A")).toEqual({ a: "1", b: "x y", c: "%E0%A4%A" });
    expect(parseCookies(undefined)).toEqual({});
  });
});
