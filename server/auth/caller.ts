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
  const subject = await sessionSubject(sessionToken, options.authSecret);
  if (!subject) return null;
  // The role is read fresh so a role change or deleted account takes effect at once.
  const user = await options.prisma.user.findUnique({ where: { id: subject } });
  if (!user) return null;
  return { userId: user.id, username: user.username, displayName: user.displayName, role: user.role, via: "session" };
}

/**
 * Session tokens already decrypted, with the user id each names, until the token expires (at most
 * a few minutes): decrypting one (key derivation and JWE) cost more than the rest of a request's
 * authentication. What the token says never changes; the user row is still read on every call.
 */
const decodedSessions = new Map<string, { subject: string; until: number }>();
const decodedSessionsMax = 5000;
const decodedSessionMaxMs = 5 * 60_000;

export async function sessionSubject(token: string, secret: string): Promise<string | null> {
  const now = Date.now();
  const known = decodedSessions.get(`${secret}\n${token}`);
  if (known && known.until > now) return known.subject;
  const jwt = await decode({ token, secret }).catch(() => null);
  if (!jwt?.sub) return null;
  const expiresAt = typeof jwt.exp === "number" ? jwt.exp * 1000 : now;
  if (expiresAt > now) {
    // Oldest first out (a Map keeps insertion order).
    if (decodedSessions.size >= decodedSessionsMax) decodedSessions.delete(decodedSessions.keys().next().value!);
    decodedSessions.set(`${secret}\n${token}`, { subject: jwt.sub, until: Math.min(expiresAt, now + decodedSessionMaxMs) });
  }
  return jwt.sub;
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
