// Reads the caller (session cookie or bearer token) from the Socket.IO handshake, so every
// namespace's handlers know who they are talking to. A bad token refuses the connection.
import type { Socket } from "socket.io";
import type { PrismaClient } from "../db/generated/client";
import { resolveCaller, type Caller } from "../auth/caller";
import { isAppError } from "../errors";
import { foreignSiteOf } from "../http/cross-site";

export type CallerSocketData = { caller: Caller | null };

export function callerMiddleware(deps: { prisma: PrismaClient; authSecret: string; publicUrl?: string }) {
  return async (socket: Socket, next: (error?: Error) => void) => {
    const headers = socket.handshake.headers;
    const auth = socket.handshake.auth as Record<string, unknown>;
    const token = typeof auth.token === "string" ? `Bearer ${auth.token}` : undefined;
    // Another site's page connects as a guest rather than being refused: the browser attached the
    // cookie, the page did not choose it, and without it the socket may do only what any cookieless
    // client may (read public chat, watch a render session whose id it holds), so nothing happens
    // in the user's name while embeds elsewhere keep working. A token in `auth` is chosen, and counts.
    const cookie = foreignSiteOf(headers, deps.publicUrl) ? undefined : headers.cookie;
    try {
      (socket.data as CallerSocketData).caller = await resolveCaller({
        prisma: deps.prisma,
        authSecret: deps.authSecret,
        authorization: token ?? headers.authorization,
        cookie,
      });
      next();
    } catch (error) {
      next(new Error(isAppError(error) ? error.message : "Could not read the session"));
    }
  };
}
