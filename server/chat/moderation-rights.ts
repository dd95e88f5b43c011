import type { Channel } from "../db/generated/client";
import type { Caller } from "../auth/caller";

/** Staff moderate every channel; a member moderates their own. */
export function canModerate(caller: Caller | null, channel: Pick<Channel, "ownerId">): boolean {
  return !!caller && (caller.role === "STAFF" || channel.ownerId === caller.userId);
}
