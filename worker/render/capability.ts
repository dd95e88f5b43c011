// The "render" capability of a worker: the render farm answering the server's questions on the
// internal bus, frames and session ends sent back as messages.
import type { Socket } from "socket.io-client";
import type { Env } from "../../server/env";
import type { BusEndpoint } from "../../server/internal/bus-endpoint";
import { serverLabel } from "../../server/internal/protocol";
import type { Logger } from "../../server/logger";
import type { WorkerCapability } from "../capabilities";
import { createRenderFarm, type RenderFarm } from "./farm";

/** Frames wait in the socket's buffer only this deep; beyond it, new frames are dropped. */
const maxBufferedPackets = 8;

export async function createRenderCapability(options: {
  bus: BusEndpoint;
  socket: Socket;
  workerId: string;
  serverUrl: string;
  config: Env;
  logger: Logger;
}): Promise<WorkerCapability & { farm: RenderFarm }> {
  const { bus, socket, config } = options;
  const log = options.logger;
  const engineBuffer = () => (socket.io.engine as unknown as { writeBuffer?: unknown[] } | undefined)?.writeBuffer?.length ?? 0;

  const farm = await createRenderFarm({
    executablePath: config.CHROMIUM_PATH,
    serverUrl: options.serverUrl,
    extraOwnOrigins: [config.CANOPY_PUBLIC_URL, config.NEXTAUTH_URL].filter((url): url is string => Boolean(url)),
    maxSessions: config.RENDER_MAX_SESSIONS,
    warmPool: config.RENDER_WARM_POOL,
    sessionTimeoutMs: config.RENDER_SESSION_TIMEOUT_SECONDS * 1000,
    allowedHosts: config.RENDER_ALLOWED_HOSTS,
    // A Socket.IO message larger than the server's limit would cost the whole bus connection.
    maxFrameBytes: Math.max(64_000, config.MAX_BODY_BYTES - 16_384),
    logger: log,
    onFrame(frame) {
      // While the server is away, frames are not worth keeping; a slow bus drops them too.
      if (!socket.connected || engineBuffer() > maxBufferedPackets) return;
      bus.tell(serverLabel, "renderFrame", frame);
    },
    onEnded(sessionId, reason, message) {
      if (socket.connected) bus.tell(serverLabel, "renderEnded", { sessionId, reason, message });
    },
  });

  bus.handle("renderCreate", (data) => farm.create(data));
  bus.handle("renderLoad", (data) => farm.load(data.sessionId, data.target));
  bus.handle("renderInfo", (data) => farm.summary(data.sessionId));
  bus.handle("renderKeepalive", (data) => ({ lastActivity: farm.keepalive(data.sessionId) }));
  bus.handle("renderClose", async (data) => ({ closed: await farm.close(data.sessionId) }));
  bus.handle("renderInput", async (data) => {
    await farm.input(data.sessionId, data.input);
    return { ok: true as const };
  });
  bus.handle("renderSettings", (data) => farm.setSettings(data.sessionId, data));
  bus.handle("renderSubscribers", (data) => farm.setSubscribers(data.sessionId, data.count));
  bus.handle("renderPolicy", (data) => farm.setAllowedHosts(data.allowedHosts));

  return {
    name: "render",
    farm,
    health: () => (farm.healthy() ? "alive" : "zombie"),
    load: () => farm.size(),
    limit: config.RENDER_MAX_SESSIONS,
    onConnect() {
      void farm
        .summaries()
        .then((sessions) => bus.tell(serverLabel, "renderSessions", { workerId: options.workerId, sessions }))
        .catch((error: unknown) => log.warn("could not report render sessions", { error: String(error) }));
      bus
        .ask(serverLabel, "renderPolicyGet", undefined)
        .then((reply) => farm.setAllowedHosts(reply.allowedHosts))
        .catch((error: unknown) => log.warn("could not read the render allow list", { error: String(error) }));
    },
    stop: () => farm.stop(),
  };
}
