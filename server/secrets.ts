// Secrets not given in the environment are generated once into DATA_DIR (mode 0600), so a
// fresh machine needs no configuration and a restart keeps sessions and worker access valid.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

type GeneratedSecrets = { internalSecret: string; authSecret: string };

export function loadSecrets(options: {
  dataDir: string;
  internalSecret?: string;
  authSecret?: string;
}): GeneratedSecrets {
  const file = path.join(options.dataDir, "secrets.json");
  let stored: Partial<GeneratedSecrets> = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<GeneratedSecrets>;
  const generated: GeneratedSecrets = {
    internalSecret: stored.internalSecret ?? crypto.randomBytes(32).toString("base64url"),
    authSecret: stored.authSecret ?? crypto.randomBytes(32).toString("base64url"),
  };
  if (generated.internalSecret !== stored.internalSecret || generated.authSecret !== stored.authSecret) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(generated), { mode: 0o600 });
  }
  return {
    internalSecret: options.internalSecret ?? generated.internalSecret,
    authSecret: options.authSecret ?? generated.authSecret,
  };
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
