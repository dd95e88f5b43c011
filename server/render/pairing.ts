// Pairing a thin device with an account: the device shows a short code, a signed-in user enters
// it on their phone, and the device then receives an API token of that user (once). Records live
// ten minutes, are single use, and guessing is rate limited per user (and the code space is 31^8).
// In the database, hashed, so the device and the phone may reach different nodes of a cluster.
import crypto from "node:crypto";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";

const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I/L
const codeLength = 8;
const maxPending = 10_000;

export type PairingStore = ReturnType<typeof createPairingStore>;

export function normalisePairingCode(raw: string): string {
  return raw.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

const hash = (value: string) => crypto.createHash("sha256").update(value).digest("hex");

function randomCode(): string {
  const bytes = crypto.randomBytes(codeLength);
  let code = "";
  // 256 % 31 leaves a negligible bias for a short-lived code.
  for (const byte of bytes) code += alphabet[byte % alphabet.length];
  return code;
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === "P2002";
const isMissing = (error: unknown) => (error as { code?: unknown } | null)?.code === "P2025";

export function createPairingStore(deps: { prisma: PrismaClient; ttlMs?: number; now?: () => number }) {
  const ttlMs = deps.ttlMs ?? 10 * 60_000;
  const now = deps.now ?? Date.now;
  const table = deps.prisma.renderPairing;
  const live = () => ({ expiresAt: { gt: new Date(now()) } });

  return {
    async start(): Promise<{ code: string; pairingId: string; expiresAt: number }> {
      await table.deleteMany({ where: { expiresAt: { lte: new Date(now()) } } });
      if ((await table.count()) >= maxPending) throw new AppError("TOO_MANY_REQUESTS", "Too many pairings in progress; try again in a few minutes");
      const pairingId = crypto.randomBytes(24).toString("base64url");
      const expiresAt = now() + ttlMs;
      for (;;) {
        const code = randomCode();
        try {
          await table.create({ data: { idHash: hash(pairingId), codeHash: hash(code), expiresAt: new Date(expiresAt) } });
          return { code: formatPairingCode(code), pairingId, expiresAt };
        } catch (error) {
          // Another pending device shows this code: draw again.
          if (!isUniqueViolation(error)) throw error;
        }
      }
    },
    /** A signed-in user claims the device showing `rawCode`. */
    async approve(rawCode: string, userId: string): Promise<{ code: string }> {
      const code = normalisePairingCode(rawCode);
      const { count } = await table.updateMany({ where: { codeHash: hash(code), approvedBy: null, ...live() }, data: { approvedBy: userId } });
      if (!count) throw new AppError("NOT_FOUND", "No device is waiting with that code; check it or start again on the device");
      return { code: formatPairingCode(code) };
    },
    /** The device asks; once approved it gets the user once, and the pairing is gone. */
    async poll(pairingId: string): Promise<{ status: "pending"; expiresAt: number } | { status: "approved"; userId: string } | null> {
      const idHash = hash(pairingId);
      const pairing = await table.findFirst({ where: { idHash, ...live() } });
      if (!pairing) return null;
      if (!pairing.approvedBy) return { status: "pending", expiresAt: pairing.expiresAt.getTime() };
      try {
        // Deleting is what hands it over: of two polls at once, only one gets the user.
        const taken = await table.delete({ where: { idHash, approvedBy: { not: null } } });
        return { status: "approved", userId: taken.approvedBy! };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
  };
}
