import type { PrismaClient } from "../db/generated/client";
import { hashPassword } from "../auth/password";
import { isUniqueViolation } from "../db/errors";
import { AppError } from "../errors";
import type { Role } from "./schemas";
import { toPublicUser, type PublicUser } from "./public-user";
import { assertNotReserved } from "./reserved-names";

/** Creates an account; a taken username is a CONFLICT, a reserved name BAD_REQUEST, and neither writes anything. */
export async function createUser(options: {
  prisma: PrismaClient;
  username: string;
  password: string;
  displayName?: string;
  role?: Role;
}): Promise<PublicUser> {
  assertNotReserved({ username: options.username, displayName: options.displayName });
  const passwordHash = await hashPassword(options.password);
  try {
    const user = await options.prisma.user.create({
      data: {
        username: options.username,
        displayName: options.displayName ?? options.username,
        passwordHash,
        role: options.role ?? "MEMBER",
      },
    });
    return toPublicUser(user);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", "That username is taken");
    throw error;
  }
}
