// Ting's privileged REST calls carry the shared secret (`Authorization: Bearer <INTERNAL_SECRET>`);
// some also accept a staff session or staff API token.
import { AppError } from "../errors";
import { secretsEqual } from "../secrets";
import { services } from "../services";
import { callerOf } from "./route";

export function hasSharedSecret(request: Request): boolean {
  const given = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return !!given && secretsEqual(given, services().secrets.internalSecret);
}

export async function requireSharedSecretOrStaff(request: Request): Promise<void> {
  if (hasSharedSecret(request)) return;
  const caller = await callerOf(request).catch(() => null);
  if (!caller) throw new AppError("UNAUTHORIZED", "This call needs the shared secret or a staff account");
  if (caller.role !== "STAFF") throw new AppError("FORBIDDEN", "Only staff may do this");
}

export function requireSharedSecret(request: Request): void {
  if (!hasSharedSecret(request)) throw new AppError("UNAUTHORIZED", "This call needs the shared secret");
}
