import type { PrismaClient } from "../db/generated/client";
import { hashPassword, verifyPassword } from "../auth/password";
import { AppError } from "../errors";

export async function changePassword(options: {
  prisma: PrismaClient;
  userId: string;
  currentPassword: string;
  newPassword: string;
}): Promise<void> {
  const user = await options.prisma.user.findUnique({ where: { id: options.userId } });
  if (!user || !(await verifyPassword(options.currentPassword, user.passwordHash))) {
    throw new AppError("BAD_REQUEST", "The current password is wrong");
  }
  await options.prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(options.newPassword) } });
}
