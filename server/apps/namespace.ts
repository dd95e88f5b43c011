// The /apps namespace: signed-in sockets join user:<id>; owners and staff stream an app's log.
import type { Namespace, Server, Socket } from "socket.io";
import type { PrismaClient } from "../db/generated/client";
import { AppError, describeIssues, socketErrorOf } from "../errors";
import type { Logger } from "../logger";
import type { CallerSocketData } from "../sockets/caller-middleware";
import { logRoom, logsSubscribeSchema, logsUnsubscribeSchema, userRoom, type AppsClientToServerEvents, type AppsServerToClientEvents } from "./events";
import type { AppRuntime } from "./runtime-service";
import { registerPageHandlers, type PageNamespace } from "./pages/page-handlers";
import { createMemoryRateLimiter } from "../chat/rate-limiter";
import { takeAck } from "../sockets/take-ack";

export function createAppsNamespace(io: Server, deps: { runtime: AppRuntime; prisma: PrismaClient; logger: Logger }) {
  const namespace = io.of("/apps") as unknown as Namespace<AppsClientToServerEvents, AppsServerToClientEvents, Record<string, never>, CallerSocketData>;
  registerPageHandlers(namespace as unknown as PageNamespace, {
    prisma: deps.prisma,
    callRpc: (call) => deps.runtime.callRpc(call),
    onPageConnection: (event) => deps.runtime.pageConnection(event),
    rateLimiter: createMemoryRateLimiter(),
    logger: deps.logger.child("pages"),
  });
  deps.runtime.onLog((appId, target, entry) => namespace.to(logRoom(appId, target)).emit("log", { appId, target, entry }));

  namespace.on("connection", (socket: Socket<AppsClientToServerEvents, AppsServerToClientEvents, Record<string, never>, CallerSocketData>) => {
    const caller = socket.data.caller;
    if (caller) void socket.join(userRoom(caller.userId));

    socket.on("logs:subscribe", async (...args: unknown[]) => {
      const reply = takeAck(args) ?? (() => undefined);
      try {
        const parsed = logsSubscribeSchema.safeParse(args[0]);
        if (!parsed.success) throw new AppError("BAD_REQUEST", describeIssues(parsed.error.issues));
        if (!caller) throw new AppError("UNAUTHORIZED", "Sign in first");
        const app = await deps.prisma.app.findUnique({ where: { id: parsed.data.appId }, select: { ownerId: true } });
        if (!app || (app.ownerId !== caller.userId && caller.role !== "STAFF")) throw new AppError("NOT_FOUND", `No app ${parsed.data.appId}`);
        await socket.join(logRoom(parsed.data.appId, parsed.data.target));
        reply({ data: { entries: await deps.runtime.logs(parsed.data) } });
      } catch (error) {
        reply({ error: socketErrorOf(error) });
      }
    });
    socket.on("logs:unsubscribe", (...args: unknown[]) => {
      // The ack is optional (the console sends none); garbage is told so rather than met with silence.
      const ack = takeAck(args);
      const parsed = logsUnsubscribeSchema.safeParse(args[0]);
      if (parsed.success) void socket.leave(logRoom(parsed.data.appId, parsed.data.target));
      ack?.(parsed.success ? { data: parsed.data } : { error: socketErrorOf(new AppError("BAD_REQUEST", describeIssues(parsed.error.issues))) });
    });
  });
  return namespace;
}
