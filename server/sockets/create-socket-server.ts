// Socket.IO on the HTTP server's port with the namespaces of DESIGN.md. /internal is the worker
// bus; /chat, /apps and /render are registered with the caller middleware and get their
// handlers from their own modules.
import type http from "node:http";
import { Server, type ServerOptions } from "socket.io";
import type { PrismaClient } from "../db/generated/client";
import type { Logger } from "../logger";
import type { ServiceRegistry } from "../status/registry";
import { createInternalNamespace } from "../internal/namespace";
import { callerMiddleware } from "./caller-middleware";
import { refuseUncleanPackets } from "./refuse-unclean-packets";
import { createChatNamespace } from "../chat/namespace";
import type { PresenceStore } from "../chat/presence";
import type { ChatLookups } from "../chat/chat-lookups";
import type { RateLimiter } from "../chat/rate-limiter";
import type { ChatLimits } from "../chat/send-message";

export const publicNamespaces = ["/chat", "/apps", "/render"] as const;

export function createSocketServer(
  httpServer: http.Server,
  deps: {
    prisma: PrismaClient;
    secrets: { internalSecret: string; authSecret: string };
    registry: ServiceRegistry;
    logger: Logger;
    maxPayloadBytes: number;
    /** CANOPY_PUBLIC_URL: pages there are the platform's own, like the server's own origin. */
    publicUrl?: string;
    rateLimiter: RateLimiter;
    chatLimits: ChatLimits;
    presence: PresenceStore;
    chatLookups: ChatLookups;
    onWorkerGone?: (workerId: string) => void;
    /** Set on a clustered node: Socket.IO's Redis streams adapter, and this node's id. */
    cluster?: { adapter: ServerOptions["adapter"]; nodeId: string };
  },
) {
  const io = new Server(httpServer, {
    // Other upgrade requests (Next.js dev HMR) are handed on rather than destroyed.
    destroyUpgrade: false,
    maxHttpBufferSize: deps.maxPayloadBytes,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
    cors: { origin: false },
    // The streams adapter keeps recovery sessions in Redis, so a client may recover on another node.
    ...(deps.cluster && { adapter: deps.cluster.adapter }),
  });
  for (const name of publicNamespaces) {
    io.of(name).use(callerMiddleware({ prisma: deps.prisma, authSecret: deps.secrets.authSecret, publicUrl: deps.publicUrl }));
    io.of(name).on("connection", (socket) => socket.use(refuseUncleanPackets(socket)));
  }
  const internal = createInternalNamespace(io, {
    secret: deps.secrets.internalSecret,
    registry: deps.registry,
    logger: deps.logger.child("internal"),
    onWorkerGone: deps.onWorkerGone,
    nodeId: deps.cluster?.nodeId,
  });
  const chat = createChatNamespace(io, {
    prisma: deps.prisma,
    presence: deps.presence,
    lookups: deps.chatLookups,
    rateLimiter: deps.rateLimiter,
    limits: deps.chatLimits,
    logger: deps.logger.child("chat"),
  });
  deps.registry.setLocal("chat", "alive");
  return { io, internal, chat };
}
