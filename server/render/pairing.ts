// Pairing a thin device with an account: the device shows a short code, a signed-in user enters
// it on their phone, and the device then receives an API token of that user (once). Records live
// ten minutes, are single use, and guessing is rate limited per user (and the code space is 31^8).
// In memory on this node: a device polls the node that started its pairing (sticky sessions).
import crypto from "node:crypto";
import { AppError } from "../errors";

const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I/L
const codeLength = 8;
const maxPending = 10_000;

type Pairing = { code: string; pairingId: string; expiresAt: number; approvedBy: string | null; consumed: boolean };

export type PairingStore = ReturnType<typeof createPairingStore>;

export function normalisePairingCode(raw: string): string {
  return raw.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export function createPairingStore(options: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const byCode = new Map<string, Pairing>();
  const byId = new Map<string, Pairing>();

  function sweep(): void {
    const time = now();
    for (const pairing of byId.values()) {
      if (pairing.expiresAt <= time || pairing.consumed) {
        byId.delete(pairing.pairingId);
        byCode.delete(pairing.code);
      }
    }
  }

  function randomCode(): string {
    const bytes = crypto.randomBytes(codeLength);
    let code = "";
    // 256 % 31 leaves a negligible bias for a short-lived code.
    for (const byte of bytes) code += alphabet[byte % alphabet.length];
    return code;
  }

  return {
    start(): { code: string; pairingId: string; expiresAt: number } {
      sweep();
      if (byId.size >= maxPending) throw new AppError("TOO_MANY_REQUESTS", "Too many pairings in progress; try again in a few minutes");
      let code = randomCode();
      while (byCode.has(code)) code = randomCode();
      const pairing: Pairing = { code, pairingId: crypto.randomBytes(24).toString("base64url"), expiresAt: now() + ttlMs, approvedBy: null, consumed: false };
      byCode.set(code, pairing);
      byId.set(pairing.pairingId, pairing);
      return { code: formatPairingCode(code), pairingId: pairing.pairingId, expiresAt: pairing.expiresAt };
    },
    /** A signed-in user claims the device showing `rawCode`. */
    approve(rawCode: string, userId: string): { code: string } {
      sweep();
      const pairing = byCode.get(normalisePairingCode(rawCode));
      if (!pairing || pairing.approvedBy) throw new AppError("NOT_FOUND", "No device is waiting with that code; check it or start again on the device");
      pairing.approvedBy = userId;
      return { code: formatPairingCode(pairing.code) };
    },
    /** The device asks; once approved it gets the user once, and the pairing is gone. */
    poll(pairingId: string): { status: "pending"; expiresAt: number } | { status: "approved"; userId: string; code: string } | null {
      const pairing = byId.get(pairingId);
      if (!pairing || pairing.consumed || pairing.expiresAt <= now()) {
        sweep();
        return null;
      }
      if (!pairing.approvedBy) return { status: "pending", expiresAt: pairing.expiresAt };
      pairing.consumed = true;
      sweep();
      return { status: "approved", userId: pairing.approvedBy, code: formatPairingCode(pairing.code) };
    },
  };
}
