import type { CurrentUser } from "../../_lib/current-user";
import type { AppFrameUser } from "./app-frame";

/** The public part of the signed-in user that app pages get through the appbridge. */
export function frameUserOf(user: CurrentUser | null): AppFrameUser {
  return user ? { id: user.userId, username: user.username, displayName: user.displayName, role: user.role } : null;
}
