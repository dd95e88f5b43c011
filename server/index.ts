// The server process: one HTTP server serving Next.js (pages, tRPC, next-auth, route handlers)
// and Socket.IO on the same port; owns the database; supervises the worker.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { ensureAdmin } from "./accounts/ensure-admin";
import { openDatabase } from "./db/client";
import { env } from "./env";
import { guardRequest } from "./http/guard-request";
import { applyPageSecurityHeaders } from "./http/page-security-headers";
import { registerUserAdminHandlers } from "./internal/user-admin-handlers";
import { createLogger } from "./logger";
import { loadSecrets } from "./secrets";
import { publishServices } from "./services";
import { createRenderNamespace, createRenderPeers } from "./render/namespace";
import { createRenderService } from "./render/service";
import { createSocketServer } from "./sockets/create-socket-server";
import { createMemoryRateLimiter, createRedisRateLimiter } from "./chat/rate-limiter";
import { createMemoryPresence, createRedisPresence } from "./chat/presence";
import { createChatLookups, shareInvalidation } from "./chat/chat-lookups";
import { connectRedis, createSocketAdapter, newNodeId } from "./cluster/redis";
import { registerIngestHandlers } from "./streams/ingest-handlers";
import { createIngestReconnectGrace } from "./streams/ingest-reconnect-grace";
import { ServiceRegistry } from "./status/registry";
import { superviseWorker, type WorkerSupervisor } from "./supervisor/worker-supervisor";
import { watchWorkersGone } from "./status/workers-gone";
import { createAppRuntime } from "./apps/runtime-service";
import { createAppHttpHandler } from "./apps/app-http";
import { createAppsNamespace } from "./apps/namespace";
import { forwardChatToApps } from "./apps/chat-events-to-apps";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const config = env();
const log = createLogger("server");

process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { reason: String(reason) }));
process.on("uncaughtException", (error) => log.error("uncaught exception", { error: error.stack ?? String(error) }));

async function main(): Promise<void> {
  const dataDir = path.resolve(config.DATA_DIR);
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets = loadSecrets({ dataDir, internalSecret: config.INTERNAL_SECRET, authSecret: config.NEXTAUTH_SECRET });

  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir, log: (line) => log.info(line) });
  log.info("database ready", { kind: db.kind });
  if (config.CANOPY_ADMIN_USERNAME && config.CANOPY_ADMIN_PASSWORD) {
    const admin = await ensureAdmin({ prisma: db.prisma, username: config.CANOPY_ADMIN_USERNAME, password: config.CANOPY_ADMIN_PASSWORD });
    log.info("staff account ready", { username: admin.username });
  }

  const registry = new ServiceRegistry({ heartbeatTimeoutMs: config.HEARTBEAT_INTERVAL_SECONDS * 3000 });
  registry.setLocal("api", "alive");
  registry.setLocal("web", "dead");
  const pruneTimer = setInterval(() => registry.prune(), 60_000);
  const ingestGrace = createIngestReconnectGrace({
    prisma: db.prisma,
    logger: log.child("streams"),
    graceMs: config.INGEST_RECONNECT_GRACE_MS,
    isAlive: (workerId) => registry.workerSummaries().some((worker) => worker.workerId === workerId && worker.status !== "dead"),
  });

  const dev = config.NODE_ENV !== "production";
  const nextApp = next({ dev, dir: projectRoot, hostname: "localhost", port: config.PORT || 3000 });
  const handle = nextApp.getRequestHandler();

  // App endpoints need the runtime, which needs Socket.IO, which needs this server: set below.
  const appHttp: { handle?: ReturnType<typeof createAppHttpHandler> } = {};
  const httpServer = http.createServer((request, response) => {
    if (!guardRequest(request, response, { maxBodyBytes: config.MAX_BODY_BYTES, publicUrl: config.CANOPY_PUBLIC_URL })) return;
    if (appHttp.handle?.(request, response)) return;
    applyPageSecurityHeaders(request, response, { publicUrl: config.CANOPY_PUBLIC_URL, dev });
    handle(request, response).catch((error: unknown) => {
      log.error("request failed", { url: request.url, error: String(error) });
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { code: "INTERNAL", message: "Internal error" } }));
    });
  });

  // REDIS_URL makes this node one of several: fan-out, recovery sessions, presence, rate limits,
  // worker registry and bus replies then go through Redis. Unset: everything stays in memory.
  const nodeId = newNodeId(config.CANOPY_NODE_ID);
  const redis = config.REDIS_URL ? await connectRedis({ url: config.REDIS_URL, logger: log.child("redis") }) : undefined;
  const rateLimiter = redis ? createRedisRateLimiter({ redis, keyPrefix: config.REDIS_KEY_PREFIX }) : createMemoryRateLimiter();
  const presence = redis ? createRedisPresence({ redis, keyPrefix: config.REDIS_KEY_PREFIX, nodeId }) : createMemoryPresence();
  const localChatLookups = createChatLookups({ prisma: db.prisma });
  const { io, internal, chat } = createSocketServer(httpServer, {
    prisma: db.prisma,
    secrets,
    registry,
    logger: log,
    maxPayloadBytes: config.MAX_BODY_BYTES,
    publicUrl: config.CANOPY_PUBLIC_URL,
    rateLimiter,
    chatLimits: {
      maxLength: config.CHAT_MAX_MESSAGE_LENGTH,
      rateLimitMessages: config.CHAT_RATE_LIMIT_MESSAGES,
      rateLimitWindowMs: config.CHAT_RATE_LIMIT_WINDOW_SECONDS * 1000,
    },
    presence,
    chatLookups: localChatLookups,
    cluster: redis && { adapter: createSocketAdapter(redis, config.REDIS_KEY_PREFIX), nodeId },
    onWorkerGone: (workerId) => {
      ingestGrace.workerGone(workerId);
      // Called only after start-up, once `render` below exists.
      render.workerGone(workerId);
      apps.workerGone(workerId);
    },
  });
  const chatLookups = redis ? shareInvalidation(localChatLookups, chat.namespace) : localChatLookups;
  const renderPeers = redis ? createRenderPeers(io) : undefined;
  const render = createRenderService({
    bus: internal.bus,
    registry,
    prisma: db.prisma,
    env: config,
    logger: log.child("render"),
    rateLimiter,
    peers: renderPeers,
  });
  createRenderNamespace(io, { service: render, logger: log.child("render"), peers: renderPeers });
  registerUserAdminHandlers(internal.bus, { prisma: db.prisma });
  const apps = createAppRuntime({ prisma: db.prisma, bus: internal.bus, registry, io, env: config, logger: log.child("apps"), chat: chat.broadcaster, chatLookups, rateLimiter });
  registerIngestHandlers(internal.bus, {
    prisma: db.prisma,
    presence,
    logger: log.child("streams"),
    onLiveChange: ({ channel, live }) => apps.platformEvent({ kind: live ? "streams.online" : "streams.offline", channel }),
    onSessionsReported: (workerId) => ingestGrace.workerReported(workerId),
  });
  createAppsNamespace(io, { runtime: apps, prisma: db.prisma, logger: log.child("apps") });
  // This node renews the app leases of the workers whose heartbeats reach it, and (like every node)
  // moves apps whose leases ran out; streams and render sessions of a worker that died anywhere end.
  registry.onChange((event) => {
    if (event.kind === "heartbeat") apps.renewLeases(event.heartbeat).catch((error: unknown) => log.warn("app leases not renewed", { error: String(error) }));
  });
  let replacing = false;
  const leaseTimer = setInterval(() => {
    if (replacing) return;
    replacing = true;
    apps
      .replaceExpired()
      .catch((error: unknown) => log.warn("expired app placements not moved", { error: String(error) }))
      .finally(() => (replacing = false));
  }, 1000);
  const stopWatchingWorkers = watchWorkersGone({
    registry,
    intervalMs: 500,
    // Also for workers of a node that died: no disconnect was seen, only the heartbeats stopped.
    onGone: (workerId) => {
      ingestGrace.workerGone(workerId);
      render.workerGone(workerId);
      apps.workerGone(workerId);
    },
  });
  forwardChatToApps({ chat: chat.broadcaster, lookups: chatLookups, apps, logger: log.child("apps") });
  appHttp.handle = createAppHttpHandler({ runtime: apps, prisma: db.prisma, authSecret: secrets.authSecret, maxBodyBytes: config.MAX_BODY_BYTES, logger: log.child("apps") });
  publishServices({ env: config, db, io, registry, secrets, chat: chat.broadcaster, chatLookups, presence, bus: internal.bus, render, apps });

  await nextApp.prepare();
  if (dev) {
    const upgrade = nextApp.getUpgradeHandler();
    httpServer.on("upgrade", (request, socket, head) => {
      if (!request.url?.startsWith("/socket.io/")) void upgrade(request, socket, head);
    });
  }
  registry.setLocal("web", "alive");

  await new Promise<void>((resolve) => httpServer.listen(config.PORT, config.HOST, resolve));
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;
  render.setInternalUrl(`http://127.0.0.1:${port}`);
  const serverFile = path.join(dataDir, "server.json");
  fs.writeFileSync(serverFile, JSON.stringify({ pid: process.pid, port }));
  log.info("listening", { port, url: `http://127.0.0.1:${port}`, database: db.kind, ...(redis && { nodeId }) });

  let supervisor: WorkerSupervisor | undefined;
  if (config.CANOPY_START_WORKER) {
    supervisor = superviseWorker({
      logger: log.child("supervisor"),
      env: {
        ...process.env,
        CANOPY_SERVER_URL: `http://127.0.0.1:${port}`,
        INTERNAL_SECRET: secrets.internalSecret,
        DATA_DIR: dataDir,
        CANOPY_SUPERVISED: "1",
      },
    });
  }

  let shuttingDown = false;
  async function shutdown(signal: string): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info("shutting down", { signal });
    const forceExit = setTimeout(() => process.exit(1), 15_000);
    forceExit.unref();
    clearInterval(pruneTimer);
    ingestGrace.stop();
    clearInterval(leaseTimer);
    stopWatchingWorkers();
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await supervisor?.stop();
    await closed.catch(() => undefined);
    await nextApp.close().catch(() => undefined);
    await apps.stop();
    await db.close();
    await redis?.close().catch(() => undefined);
    fs.rmSync(serverFile, { force: true });
    log.info("stopped");
    process.exit(0);
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  log.error("server failed to start", { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
