// The worker process: hosts the app runtimes, RTMP ingest and the render farm (each added by its
// own module). It holds no database connection; it talks to the server over the internal bus,
// reports liveness by heartbeat, and reconnects and re-registers when the server comes back.
import crypto from "node:crypto";
import { env } from "../server/env";
import { loadSecrets } from "../server/secrets";
import { createLogger } from "../server/logger";
import { connectBus } from "./bus-client";
import { capabilityCapacity, capabilityHealth, type WorkerCapability } from "./capabilities";
import { createAppsCapability } from "./apps/capability";
import { createIngestService } from "./ingest/ingest-service";
import { createRenderCapability } from "./render/capability";

const config = env();
const log = createLogger("worker");
const workerId = process.env.CANOPY_WORKER_ID ?? crypto.randomUUID().slice(0, 8);
const secrets = loadSecrets({ dataDir: config.DATA_DIR, internalSecret: config.INTERNAL_SECRET });
const serverUrls = config.CANOPY_SERVER_URLS ?? [config.CANOPY_SERVER_URL ?? `http://127.0.0.1:${config.PORT}`];
const startedAt = Date.now();

const { socket, bus, serverUrl } = connectBus({
  serverUrl: serverUrls,
  secret: secrets.internalSecret,
  label: `worker:${workerId}`,
  maxMessageBytes: config.MAX_BODY_BYTES,
  onRefused: (message) => log.warn("server refused a message", { message }),
});

bus.handle("status", () => ({ status: "alive" as const }));

/** Started below; each module (ingest, apps, render) adds itself here. */
const capabilities: WorkerCapability[] = [];
capabilities.push(createIngestService({ bus, workerId, log: log.child("ingest") }));
const apps = createAppsCapability({ bus, workerId, env: config, log: log.child("apps") });
capabilities.push(apps);

if (config.RENDER_ENABLED) {
  createRenderCapability({ bus, socket: socket as never, workerId, serverUrls, serverUrl, config, logger: log.child("render") })
    .then((render) => {
      capabilities.push(render);
      if (socket.connected) render.onConnect?.();
    })
    .catch((error: unknown) => log.error("render farm failed to start", { error: String(error) }));
}

function sendHeartbeat(): void {
  if (!socket.connected) return;
  bus.tell("web-api", "heartbeat", {
    workerId,
    pid: process.pid,
    state: "ok",
    services: capabilityHealth(capabilities),
    capacity: capabilityCapacity(capabilities),
    apps: apps.served(),
    sentAt: Date.now(),
    rssBytes: process.memoryUsage.rss(),
    startedAt,
  });
}

socket.on("connect", () => {
  log.info("connected to server", { workerId, serverUrl: serverUrl() });
  sendHeartbeat();
  for (const capability of capabilities) capability.onConnect?.();
});
socket.on("connect_error", (error) => log.warn("cannot reach server", { error: error.message }));
const heartbeat = setInterval(sendHeartbeat, config.HEARTBEAT_INTERVAL_SECONDS * 1000);

async function shutdown(signal: string): Promise<void> {
  log.info("worker stopping", { signal });
  clearInterval(heartbeat);
  await Promise.allSettled(capabilities.map((capability) => capability.stop()));
  socket.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
// When the supervising server is gone, a supervised worker must not linger as an orphan.
if (process.env.CANOPY_SUPERVISED === "1") {
  setInterval(() => {
    if (process.ppid === 1) void shutdown("parent exited");
  }, 2000).unref();
}
