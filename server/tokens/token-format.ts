import crypto from "node:crypto";

// Personal API tokens carry 192 random bits, so a fast hash is enough to store them safely:
// there is nothing to brute-force, unlike a password.
const tokenPrefix = "cnp_";

export function generateToken(): { token: string; tokenHash: string; displayPrefix: string } {
  const token = tokenPrefix + crypto.randomBytes(24).toString("base64url");
  return { token, tokenHash: hashToken(token), displayPrefix: token.slice(0, tokenPrefix.length + 6) };
}

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

export function looksLikeToken(value: string): boolean {
  return value.startsWith(tokenPrefix) && value.length < 200;
}
