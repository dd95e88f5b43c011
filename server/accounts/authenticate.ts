import type { PrismaClient } from "../db/generated/client";
import { hashPassword, verifyPassword } from "../auth/password";
import { usernameSchema } from "./schemas";
import { toPublicUser, type PublicUser } from "./public-user";

// Verifying against a throwaway hash when the user does not exist keeps the response time the
// same, so sign-in does not reveal which usernames exist.
const decoyHash = hashPassword("decoy-password-for-timing");

/** The user for these credentials, or null. Never says which part was wrong. */
export async function authenticate(options: {
  prisma: PrismaClient;
  username: unknown;
  password: unknown;
}): Promise<PublicUser | null> {
  const username = usernameSchema.safeParse(options.username);
  if (!username.success || typeof options.password !== "string" || options.password.length > 200) return null;
  const user = await options.prisma.user.findUnique({ where: { username: username.data } });
  const valid = await verifyPassword(options.password, user?.passwordHash ?? (await decoyHash));
  return user && valid ? toPublicUser(user) : null;
}
