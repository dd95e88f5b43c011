// Names only the platform shows: "System" on system messages and "app:<id>" on apps' messages.
// No account may take them as its username or display name, so a user cannot pass for either
// (the app badge and the system flag come from server-set fields, never from the name).
import { AppError } from "../errors";

export function isReservedName(name: string): boolean {
  const normalised = name.trim().toLowerCase();
  return normalised === "system" || normalised.startsWith("app:");
}

export function assertNotReserved(options: { username?: string; displayName?: string }): void {
  for (const [field, value] of Object.entries(options)) {
    if (value !== undefined && isReservedName(value)) throw new AppError("BAD_REQUEST", `That ${field === "username" ? "username" : "display name"} is reserved`);
  }
}
