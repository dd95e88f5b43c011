import type { Role } from "./schemas";

export type PublicUser = { id: string; username: string; displayName: string; role: Role; createdAt: Date };

export function toPublicUser(user: PublicUser): PublicUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    createdAt: user.createdAt,
  };
}
