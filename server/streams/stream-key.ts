import crypto from "node:crypto";

// Stream keys carry 192 random bits; like API tokens they are stored as a sha256 only.
export function generateStreamKey(): { key: string; hash: string; hint: string } {
  const key = `live_${crypto.randomBytes(24).toString("base64url")}`;
  return { key, hash: hashStreamKey(key), hint: key.slice(-4) };
}

export function hashStreamKey(key: string): string {
  return crypto.createHash("sha256").update(key).digest("hex");
}
