// Who is calling: from a next-auth session cookie or an `Authorization: Bearer` API token.
// Used by tRPC context, REST route handlers and the Socket.IO handshake alike.
import { decode } from "next-auth/jwt";
import type { PrismaClient } from "../db/generated/client";
import type { Role } from "../accounts/schemas";
import { AppError } from "../errors";
import { hashToken, looksLikeToken } from "../tokens/token-format";

export type Caller = { userId: string; username: string; displayName: string; role: Role; via: "session" | "token" };

export const sessionCookieNames = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function parseCookies(header: string | null | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (!name) continue;
    try {
      cookies[name] = decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      cookies[name] = part.slice(index + 1).trim();
    }
  }
  return cookies;
}

/** The session token value, joining next-auth's chunked cookies (`name.0`, `name.1`, …). */
function sessionTokenFrom(cookies: Record<string, string>): string | undefined {
  for (const name of sessionCookieNames) {
    if (cookies[name]) return cookies[name];
    const chunks: string[] = [];
    for (let i = 0; cookies[`${name}.${i}`] !== undefined; i++) chunks.push(cookies[`${name}.${i}`]!);
    if (chunks.length) return chunks.join("");
  }
  return undefined;
}

export async function resolveCaller(options: {
  prisma: PrismaClient;
  authSecret: string;
  authorization?: string | null;
  cookie?: string | null;
}): Promise<Caller | null> {
  const bearer = options.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) {
    const caller = await callerFromToken(options.prisma, bearer);
    // A wrong token is an error rather than an anonymous call, so scripts learn at once.
    if (!caller) throw new AppError("UNAUTHORIZED", "Invalid or revoked API token");
    return caller;
  }
  const sessionToken = sessionTokenFrom(parseCookies(options.cookie));
  if (!sessionToken) return null;
  const jwt = await decode({ token: sessionToken, secret: options.authSecret }).catch(() => null);
  if (!jwt?.sub) return null;
  // The role is read fresh so a role change or deleted account takes effect at once.
  const user = await options.prisma.user.findUnique({ where: { id: jwt.sub } });
  if (!user) return null;
  return { userId: user.id, username: user.username, displayName: user.displayName, role: user.role, via: "session" };
}

async function callerFromToken(prisma: PrismaClient, token: string): Promise<Caller | null> {
  if (!looksLikeToken(token)) return null;
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  if (!row || row.revokedAt) return null;
  // "Last used" is shown to the minute; writing it on every call would put a write on every request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  const { user } = row;
  return { userId: user.id, username: user.username, displayName: user.displayName, role: user.role, via: "token" };
}
