import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { generateToken } from "./token-format";

const maxActiveTokens = 50;

/** Creates a token and returns it once; only its hash is kept. */
export async function createToken(options: { prisma: PrismaClient; userId: string; name: string }) {
  const active = await options.prisma.apiToken.count({ where: { userId: options.userId, revokedAt: null } });
  if (active >= maxActiveTokens) throw new AppError("CONFLICT", `At most ${maxActiveTokens} active tokens; revoke one first`);
  const { token, tokenHash, displayPrefix } = generateToken();
  const row = await options.prisma.apiToken.create({
    data: { userId: options.userId, name: options.name, tokenHash, prefix: displayPrefix },
  });
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, token };
}
