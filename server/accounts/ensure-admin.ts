import type { PrismaClient } from "../db/generated/client";
import { hashPassword } from "../auth/password";
import { passwordSchema, usernameSchema } from "./schemas";
import { toPublicUser, type PublicUser } from "./public-user";

/**
 * Staff bootstrap from CANOPY_ADMIN_USERNAME / CANOPY_ADMIN_PASSWORD: creates the account, or
 * makes an existing one staff with this password, so a lost admin password is fixed by a restart.
 */
export async function ensureAdmin(options: {
  prisma: PrismaClient;
  username: string;
  password: string;
}): Promise<PublicUser> {
  const username = usernameSchema.parse(options.username);
  const password = passwordSchema.parse(options.password);
  const passwordHash = await hashPassword(password);
  const user = await options.prisma.user.upsert({
    where: { username },
    create: { username, displayName: username, passwordHash, role: "STAFF" },
    update: { passwordHash, role: "STAFF" },
  });
  return toPublicUser(user);
}
