// Reads the caller (session cookie or bearer token) from the Socket.IO handshake, so every
// namespace's handlers know who they are talking to. A bad token refuses the connection.
import type { Socket } from "socket.io";
import type { PrismaClient } from "../db/generated/client";
import { resolveCaller, type Caller } from "../auth/caller";
import { isAppError } from "../errors";

export type CallerSocketData = { caller: Caller | null };

export function callerMiddleware(deps: { prisma: PrismaClient; authSecret: string }) {
  return async (socket: Socket, next: (error?: Error) => void) => {
    const headers = socket.handshake.headers;
    const auth = socket.handshake.auth as Record<string, unknown>;
    const token = typeof auth.token === "string" ? `Bearer ${auth.token}` : undefined;
    try {
      (socket.data as CallerSocketData).caller = await resolveCaller({
        prisma: deps.prisma,
        authSecret: deps.authSecret,
        authorization: token ?? headers.authorization,
        cookie: headers.cookie,
      });
      next();
    } catch (error) {
      next(new Error(isAppError(error) ? error.message : "Could not read the session"));
    }
  };
}
