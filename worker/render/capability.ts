// The "render" capability of a worker: the render farm answering the server's questions on the
// internal bus, frames sent to the server nodes that have viewers of the session, session ends to
// the node the worker is connected to.
import type { Socket } from "socket.io-client";
import type { Env } from "../../server/env";
import type { BusEndpoint } from "../../server/internal/bus-endpoint";
import { serverLabel } from "../../server/internal/protocol";
import type { Logger } from "../../server/logger";
import type { WorkerCapability } from "../capabilities";
import { createRenderFarm, type RenderFarm } from "./farm";
import type { RenderFrame } from "./session";
import { SessionViewers } from "./viewers";

/** Frames wait in the socket's buffer only this deep; beyond it, only a session's latest frame is kept for later. */
const maxBufferedPackets = 8;
/** Nodes repeat their viewer counts every few seconds (server/render/namespace.ts); a silent node's count lapses after this. */
const viewerCountTtlMs = 30_000;

export async function createRenderCapability(options: {
  bus: BusEndpoint;
  socket: Socket;
  workerId: string;
  /** Every server node the worker may connect to, and the one it uses now (Canopy pages load from it). */
  serverUrls: string[];
  serverUrl: () => string;
  config: Env;
  logger: Logger;
}): Promise<WorkerCapability & { farm: RenderFarm }> {
  const { bus, socket, config } = options;
  const log = options.logger;
  const viewers = new SessionViewers(viewerCountTtlMs);
  /** The latest frame of each session, for a node whose first viewer arrives while the page stands still. */
  const lastFrames = new Map<string, RenderFrame>();
  /** Sessions whose latest frame was held back by a full buffer: sent once it drains (a still page sends no later one). */
  const heldBack = new Set<string>();
  let retry: NodeJS.Timeout | undefined;
  const engineBuffer = () => (socket.io.engine as unknown as { writeBuffer?: unknown[] } | undefined)?.writeBuffer?.length ?? 0;

  const farm = await createRenderFarm({
    executablePath: config.CHROMIUM_PATH,
    serverUrl: options.serverUrl,
    serverUrls: options.serverUrls,
    extraOwnOrigins: [config.CANOPY_PUBLIC_URL, config.NEXTAUTH_URL].filter((url): url is string => Boolean(url)),
    maxSessions: config.RENDER_MAX_SESSIONS,
    warmPool: config.RENDER_WARM_POOL,
    sessionTimeoutMs: config.RENDER_SESSION_TIMEOUT_SECONDS * 1000,
    allowedHosts: config.RENDER_ALLOWED_HOSTS,
    // A Socket.IO message larger than the server's limit would cost the whole bus connection.
    maxFrameBytes: Math.max(64_000, config.MAX_BODY_BYTES - 16_384),
    logger: log,
    onFrame(frame) {
      lastFrames.set(frame.sessionId, frame);
      sendFrame(frame);
    },
    onEnded(sessionId, reason, message) {
      viewers.forget(sessionId);
      lastFrames.delete(sessionId);
      heldBack.delete(sessionId);
      if (socket.connected) bus.tell(serverLabel, "renderEnded", { sessionId, reason, message });
    },
  });

  /** While the server is away, frames are not worth keeping; a slow bus sends only the latest once it can. */
  function sendFrame(frame: RenderFrame): void {
    if (!socket.connected) return;
    if (engineBuffer() > maxBufferedPackets) {
      heldBack.add(frame.sessionId);
      retry ??= setTimeout(sendHeldBack, 50);
      return;
    }
    heldBack.delete(frame.sessionId);
    for (const node of viewers.nodes(frame.sessionId)) bus.tell(node, "renderFrame", frame);
  }

  function sendHeldBack(): void {
    retry = undefined;
    for (const sessionId of [...heldBack]) {
      heldBack.delete(sessionId);
      const frame = lastFrames.get(sessionId);
      if (frame) sendFrame(frame);
    }
  }

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
  bus.handle("renderSubscribers", async (data, envelope) => {
    farm.get(data.sessionId);
    const { total, joined } = viewers.set(data.sessionId, envelope.ack, data.count);
    await farm.setSubscribers(data.sessionId, total);
    const frame = lastFrames.get(data.sessionId);
    if (joined && frame) bus.tell(envelope.ack, "renderFrame", frame);
    return { total };
  });
  const expiry = setInterval(() => {
    for (const { sessionId, total } of viewers.expire()) void farm.setSubscribers(sessionId, total);
  }, viewerCountTtlMs / 3);
  expiry.unref();
  bus.handle("renderPolicy", (data) => farm.setAllowedHosts(data.allowedHosts));

  return {
    name: "render",
    farm,
    health: () => (farm.healthy() ? "alive" : "zombie"),
    load: () => farm.size(),
    limit: config.RENDER_MAX_SESSIONS,
    onConnect() {
      // Frames made while the connection was down never left: the nodes with viewers get the latest.
      for (const frame of lastFrames.values()) if (viewers.total(frame.sessionId)) sendFrame(frame);
      void farm
        .summaries()
        .then((sessions) => bus.tell(serverLabel, "renderSessions", { workerId: options.workerId, sessions }))
        .catch((error: unknown) => log.warn("could not report render sessions", { error: String(error) }));
      bus
        .ask(serverLabel, "renderPolicyGet", undefined)
        .then((reply) => farm.setAllowedHosts(reply.allowedHosts))
        .catch((error: unknown) => log.warn("could not read the render allow list", { error: String(error) }));
    },
    stop() {
      clearInterval(expiry);
      clearTimeout(retry);
      return farm.stop();
    },
  };
}
