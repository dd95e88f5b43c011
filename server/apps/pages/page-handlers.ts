// The app-page half of the /apps namespace: a host page joins the page it embeds, relays that
// page's rpc calls to the worker running the app, and gets the app's events. Checks at this hop:
// the connection must come from a platform page (Origin is the server's own, never the "null" of
// a sandboxed app page), a call names a page the socket joined (so a page can only ever reach its
// own app), the page is one the caller may see, and calls are rate-limited per connection.
import type { Namespace, Socket } from "socket.io";
import type { z } from "zod";
import type { Caller } from "../../auth/caller";
import type { PrismaClient } from "../../db/generated/client";
import type { RateLimiter } from "../../chat/rate-limiter";
import { AppError, describeIssues, isAppError, socketErrorOf } from "../../errors";
import type { Logger } from "../../logger";
import { loadShownPage } from "./page-state";
import {
  appPageRoom,
  appRoom,
  appUserRoom,
  pageEventSchemas,
  type PageClientToServerEvents,
  type PageError,
  type PageRef,
  type PageServerToClientEvents,
  type PageSocketData,
  type PageUser,
} from "./page-events";
import { takeAck } from "../../sockets/take-ack";

type PageSocket = Socket<PageClientToServerEvents, PageServerToClientEvents, Record<string, never>, PageSocketData & { caller: Caller | null }>;
export type PageNamespace = Namespace<PageClientToServerEvents, PageServerToClientEvents, Record<string, never>, PageSocketData & { caller: Caller | null }>;

/** Asks the worker that runs the app to call one rpc method (rejects with AppError). */
export type CallAppRpc = (call: {
  appId: string;
  target: "live" | "preview";
  method: string;
  pageId: string;
  caller: { userId: string; username: string; displayName: string; role: Caller["role"] } | null;
  args: unknown[];
}) => Promise<unknown>;

/** Pages one connection may have open at once. */
const maxPagesPerConnection = 20;
const rpcCallsPerWindow = 30;
const rpcWindowMs = 5_000;

const pageKey = (ref: PageRef) => `${ref.target}|${ref.appId}|${ref.pageId}`;

/** The socket's Origin must be this server's: app pages (opaque origin "null") and other sites are refused. */
function assertPlatformOrigin(socket: Socket): void {
  const { origin, host } = socket.handshake.headers;
  let originHost: string | null = null;
  try {
    originHost = origin && origin !== "null" ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (!originHost || originHost !== host) throw new AppError("FORBIDDEN", "App pages are reached through the platform's own pages only");
}

/** The caller's own deadline (the worker has a longer one of its own). */
function withTimeout<T>(ms: number, message: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("TIMEOUT", message)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The app's own method threw: its message goes back to the page as APP_ERROR. */
class AppMethodError extends Error {}

/** The worker answers BAD_REQUEST when the method threw (or its arguments could not be passed). */
function asMethodError(error: unknown): never {
  if (isAppError(error) && error.code === "BAD_REQUEST") throw new AppMethodError(error.message);
  throw error;
}

function pageErrorOf(error: unknown): PageError {
  return error instanceof AppMethodError ? { code: "APP_ERROR", message: error.message } : socketErrorOf(error);
}

export function registerPageHandlers(
  namespace: PageNamespace,
  deps: {
    prisma: PrismaClient;
    callRpc: CallAppRpc;
    /** Tells the app's server script (canopy.rpc.on("connected" | "disconnected")). */
    onPageConnection: (event: { appId: string; target: "live" | "preview"; pageId: string; user: PageUser; connected: boolean }) => void;
    rateLimiter: RateLimiter;
    logger: Logger;
  },
): void {
  function usersOn(ref: PageRef): number {
    return namespace.adapter.rooms.get(appPageRoom(ref.target, ref.appId, ref.pageId))?.size ?? 0;
  }

  function announce(socket: PageSocket, ref: PageRef, connected: boolean): void {
    const caller = socket.data.caller;
    const user: PageUser = caller ? { id: caller.userId, username: caller.username, displayName: caller.displayName } : null;
    namespace.to(appRoom(ref.target, ref.appId)).emit("page:user", { appId: ref.appId, target: ref.target, pageId: ref.pageId, user, connected, users: usersOn(ref) });
    deps.onPageConnection({ appId: ref.appId, target: ref.target, pageId: ref.pageId, user, connected });
  }

  function on<E extends keyof PageClientToServerEvents, R>(socket: PageSocket, event: E, handler: (payload: z.output<(typeof pageEventSchemas)[E]>) => Promise<R> | R) {
    socket.on(event as keyof PageClientToServerEvents, async (...args: unknown[]) => {
      const ack = takeAck(args);
      try {
        assertPlatformOrigin(socket);
        const parsed = pageEventSchemas[event].safeParse(args[0]);
        if (!parsed.success) throw new AppError("BAD_REQUEST", `Invalid ${event}: ${describeIssues(parsed.error.issues)}`);
        ack?.({ data: await handler(parsed.data as z.output<(typeof pageEventSchemas)[E]>) });
      } catch (error) {
        const described: PageError = { ...pageErrorOf(error), event };
        if (described.code === "INTERNAL") deps.logger.error("app page handler failed", { event, error: String(error) });
        socket.emit("error", described);
        ack?.({ error: described });
      }
    });
  }

  function leave(socket: PageSocket, ref: PageRef): void {
    const key = pageKey(ref);
    if (!socket.data.pages.includes(key)) return;
    socket.data.pages = socket.data.pages.filter((entry) => entry !== key);
    void socket.leave(appPageRoom(ref.target, ref.appId, ref.pageId));
    // Still in another page of the same app: keep its app and user rooms.
    if (!socket.data.pages.some((entry) => entry.startsWith(`${ref.target}|${ref.appId}|`))) {
      void socket.leave(appRoom(ref.target, ref.appId));
      if (socket.data.caller) void socket.leave(appUserRoom(ref.target, ref.appId, socket.data.caller.userId));
    }
    announce(socket, ref, false);
  }

  namespace.on("connection", (socket: PageSocket) => {
    if (!socket.recovered) socket.data.pages = [];

    on(socket, "page:join", async (ref) => {
      await loadShownPage({ prisma: deps.prisma, caller: socket.data.caller, ...ref });
      if (!socket.data.pages.includes(pageKey(ref))) {
        if (socket.data.pages.length >= maxPagesPerConnection) throw new AppError("BAD_REQUEST", `At most ${maxPagesPerConnection} app pages per connection`);
        socket.data.pages.push(pageKey(ref));
        await socket.join([appRoom(ref.target, ref.appId), appPageRoom(ref.target, ref.appId, ref.pageId)]);
        if (socket.data.caller) await socket.join(appUserRoom(ref.target, ref.appId, socket.data.caller.userId));
        announce(socket, ref, true);
      }
      return { appId: ref.appId, pageId: ref.pageId, users: usersOn(ref) };
    });

    on(socket, "page:leave", (ref) => {
      leave(socket, ref);
      return { appId: ref.appId, pageId: ref.pageId };
    });

    on(
      socket,
      "rpc:call",
      async (call) => {
        if (!socket.data.pages.includes(pageKey(call))) throw new AppError("FORBIDDEN", `Join page ${call.appId}/${call.pageId} before calling its app`);
        const retryAfterMs = await deps.rateLimiter.hit(`app-rpc:${socket.id}`, rpcCallsPerWindow, rpcWindowMs);
        if (retryAfterMs > 0) throw new AppError("TOO_MANY_REQUESTS", "Too many calls; slow down", { retryAfterMs });
        const caller = socket.data.caller;
        const result = await withTimeout(call.timeoutMs, `${call.method} got no answer within ${call.timeoutMs} ms`, deps.callRpc({
          appId: call.appId,
          target: call.target,
          method: call.method,
          pageId: call.pageId,
          caller: caller ? { userId: caller.userId, username: caller.username, displayName: caller.displayName, role: caller.role } : null,
          args: call.args,
        }).catch(asMethodError));
        return { result };
      },
    );

    socket.on("disconnect", () => {
      for (const key of [...socket.data.pages]) {
        const [target, appId, pageId] = key.split("|") as ["live" | "preview", string, string];
        leave(socket, { target, appId, pageId });
      }
    });
  });
}

/** Delivers canopy.rpc.emit / emitToPage / emitToUser to the pages that should hear it. */
export function emitAppEvent(
  namespace: PageNamespace,
  emit: { appId: string; target: "live" | "preview"; to: { kind: "all" } | { kind: "page"; pageId: string } | { kind: "user"; userId: string }; event: string; payload: unknown },
): void {
  const room =
    emit.to.kind === "all"
      ? appRoom(emit.target, emit.appId)
      : emit.to.kind === "page"
        ? appPageRoom(emit.target, emit.appId, emit.to.pageId)
        : appUserRoom(emit.target, emit.appId, emit.to.userId);
  namespace.to(room).emit("rpc:event", { appId: emit.appId, target: emit.target, event: emit.event, payload: emit.payload });
}
