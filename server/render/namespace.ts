// The /render namespace: Jiomosa's real-time protocol. A socket subscribes to one session (the
// unguessable session id is the capability, as a share link); frames reach it with per-client
// back-pressure, in binary or Jiomosa's base64 form; inputs and settings go to the session's
// worker. Every payload is validated; failures answer an `error` event (and the ack) and change
// nothing.
import { randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import type { Namespace, Server, Socket } from "socket.io";
import type { z } from "zod";
import { AppError, describeIssues, socketErrorOf } from "../errors";
import type { RenderInput } from "../internal/protocol";
import type { Logger } from "../logger";
import {
  renderEventSchemas,
  sessionRoom,
  type FramePayload,
  type RenderClientToServerEvents,
  type RenderError,
  type RenderInterServerEvents,
  type RenderServerToClientEvents,
  type RenderSocketData,
  type SubscribedPayload,
} from "./events";
import { AdaptiveController, createPeerBandwidths, FrameDelivery, type FrameChannel } from "./frame-delivery";
import type { AdaptiveSettings, RenderPeers, RenderService } from "./service";
import type { CachedFrame } from "./session-registry";
import { takeAck } from "../sockets/take-ack";

type RenderSocket = Socket<RenderClientToServerEvents, RenderServerToClientEvents, RenderInterServerEvents, RenderSocketData>;
export type RenderNamespace = Namespace<RenderClientToServerEvents, RenderServerToClientEvents, RenderInterServerEvents, RenderSocketData>;

/** Inputs one connection may send per second; beyond that they are refused, not queued. */
const inputsPerSecond = 60;
const adaptiveEveryMs = 2000;
/** Viewer counts are told to the worker again this often, so a dead node's count lapses there (worker/render/viewers.ts). */
const viewerCountEveryMs = 10_000;

type EngineTransport = EventEmitter & { writable: boolean };
type EngineSocket = EventEmitter & { transport: EngineTransport; writeBuffer: unknown[]; readyState: string };

/** Frame delivery over a Socket.IO socket: its engine says when the transport is idle and when it drained. */
export function socketChannel(socket: RenderSocket, binary: boolean): FrameChannel {
  const conn = socket.conn as unknown as EngineSocket;
  return {
    writable: () => conn.readyState === "open" && conn.transport.writable && conn.writeBuffer.length === 0,
    watch(listener) {
      let transport = conn.transport;
      const onDrain = () => listener("drained");
      const onReady = () => listener("ready");
      const attach = (target: EngineTransport) => target.on("drain", onDrain).on("ready", onReady);
      const detach = (target: EngineTransport) => target.off("drain", onDrain).off("ready", onReady);
      const onUpgrade = (next: EngineTransport) => {
        detach(transport);
        transport = next;
        attach(next);
      };
      attach(transport);
      conn.on("upgrade", onUpgrade);
      return () => {
        detach(transport);
        conn.off("upgrade", onUpgrade);
      };
    },
    send(frame: CachedFrame): number {
      const base = { timestamp: frame.timestamp / 1000, size: frame.data.length, width: frame.width, height: frame.height, seq: frame.seq, format: "jpeg" as const };
      // Volatile: frames are never kept for connection-state recovery (they would pile up in memory).
      // Local: written now, while the transport is known to be idle. A plain socket.emit goes
      // through the adapter when connection-state recovery is on; on a cluster that means a trip
      // to Redis first (with the whole frame), after which a busy transport discards the volatile
      // frame unseen, and a still page sends no later one.
      const out = socket.nsp.local.to(socket.id).volatile;
      if (binary) {
        out.emit("frame", { image: frame.data, ...base } satisfies FramePayload);
        return frame.data.length;
      }
      frame.base64 ??= frame.data.toString("base64");
      out.emit("frame", { image: frame.base64, ...base } satisfies FramePayload);
      return frame.base64.length;
    },
  };
}

/** The other nodes of a cluster, reached through the adapter (a node that is alone has none). */
export function createRenderPeers(io: Server): RenderPeers {
  const namespace: RenderNamespace = io.of("/render");
  return {
    broadcast: (event) => namespace.serverSideEmit("render", event),
    onEvent: (listener) => namespace.on("render", listener),
  };
}

export function createRenderNamespace(io: Server, deps: { service: RenderService; logger: Logger; peers?: RenderPeers }): RenderNamespace {
  const namespace: RenderNamespace = io.of("/render");
  const { service } = deps;
  const log = deps.logger;

  function tellViewers(sessionId: string, count: number): void {
    service.setSubscribers(sessionId, count).catch((error: unknown) => log.debug("viewer count not delivered", { sessionId, error: String(error) }));
  }
  /** sessionId → (socket id → delivery) */
  const watchers = new Map<string, Map<string, { socket: RenderSocket; delivery: FrameDelivery }>>();
  const controllers = new Map<string, AdaptiveController>();
  /**
   * The settings of each session watched here, read when a viewer subscribes and kept by the
   * settings changes made through this node and the others (peers), so adapting reads no database.
   */
  const settingsOf = new Map<string, AdaptiveSettings>();
  const settingsFrom = ({ quality, fps, adaptive }: AdaptiveSettings): AdaptiveSettings => ({ quality, fps, adaptive });
  /** With viewers on several nodes each node adapts to the slowest of all of them, so the nodes agree. */
  const peerBandwidths = createPeerBandwidths({ staleMs: 3 * adaptiveEveryMs });
  const nodeKey = randomUUID();
  deps.peers?.onEvent((event) => {
    if (event.kind === "slowestViewer" && event.node !== nodeKey) peerBandwidths.report(event.sessionId, event.node, event.bps);
    else if (event.kind === "settings" && settingsOf.has(event.sessionId)) settingsOf.set(event.sessionId, event.settings);
  });

  /** `record`: the session as just read (its settings are the newest this node knows). */
  function attach(socket: RenderSocket, record: AdaptiveSettings & { id: string }, binary: boolean): void {
    const sessionId = record.id;
    settingsOf.set(sessionId, settingsFrom(record));
    let perSession = watchers.get(sessionId);
    if (!perSession) watchers.set(sessionId, (perSession = new Map()));
    perSession.get(socket.id)?.delivery.close();
    perSession.set(socket.id, { socket, delivery: new FrameDelivery(socketChannel(socket, binary)) });
    socket.data.subscription = { sessionId, binary };
    void socket.join(sessionRoom(sessionId));
    tellViewers(sessionId, perSession.size);
  }

  /** Stops frames to the socket; `forget: false` keeps the subscription for connection-state recovery. */
  function detach(socket: RenderSocket, options: { forget: boolean } = { forget: true }): string | null {
    const subscription = socket.data.subscription;
    if (!subscription) return null;
    if (options.forget) socket.data.subscription = null;
    void socket.leave(sessionRoom(subscription.sessionId));
    const perSession = watchers.get(subscription.sessionId);
    perSession?.get(socket.id)?.delivery.close();
    perSession?.delete(socket.id);
    if (perSession && !perSession.size) {
      watchers.delete(subscription.sessionId);
      controllers.delete(subscription.sessionId);
      settingsOf.delete(subscription.sessionId);
    }
    tellViewers(subscription.sessionId, perSession?.size ?? 0);
    return subscription.sessionId;
  }

  service.onFrame((sessionId, frame) => {
    const perSession = watchers.get(sessionId);
    if (perSession) for (const { delivery } of perSession.values()) delivery.offer(frame);
  });

  service.onEnded((sessionId, reason, message) => {
    const perSession = watchers.get(sessionId);
    if (!perSession) return;
    const text = `Session ${sessionId} ended (${reason})${message ? `: ${message}` : ""}`;
    for (const { socket } of [...perSession.values()]) {
      socket.emit("session:ended", { session_id: sessionId, reason, message: text });
      socket.emit("error", { code: "NOT_FOUND", message: text });
      detach(socket);
    }
    watchers.delete(sessionId);
    controllers.delete(sessionId);
    settingsOf.delete(sessionId);
    peerBandwidths.forget(sessionId);
  });

  service.onSettings((record, change) => {
    const settings = settingsFrom(record);
    if (watchers.has(record.id)) settingsOf.set(record.id, settings);
    deps.peers?.broadcast({ kind: "settings", sessionId: record.id, settings });
    const room = namespace.to(sessionRoom(record.id));
    if (change.quality !== undefined) room.emit("quality:updated", { quality: change.quality, adaptive: record.adaptive });
    if (change.fps !== undefined) room.emit("fps:updated", { fps: change.fps, adaptive: record.adaptive });
    if (change.adaptive !== undefined) room.emit("adaptive:updated", { enabled: change.adaptive });
  });

  // Adaptive mode: the slowest watcher's measured bandwidth (on any node) picks Jiomosa's quality/fps tier.
  async function adapt(): Promise<void> {
    peerBandwidths.prune();
    for (const [sessionId, perSession] of [...watchers]) {
      const settings = settingsOf.get(sessionId);
      if (!settings?.adaptive) continue;
      let controller = controllers.get(sessionId);
      if (!controller) controllers.set(sessionId, (controller = new AdaptiveController()));
      const own = [...perSession.values()].flatMap(({ delivery }) => delivery.bandwidthBps() ?? []);
      if (own.length) deps.peers?.broadcast({ kind: "slowestViewer", sessionId, node: nodeKey, bps: Math.min(...own) });
      const tier = controller.evaluate([...own, ...peerBandwidths.current(sessionId)], settings);
      if (!tier) continue;
      log.debug("adaptive tier", { sessionId, tier: tier.name });
      await service.changeSettings(sessionId, { quality: tier.quality, fps: tier.fps }, { manual: false });
    }
  }
  let adapting = false;
  const adaptiveTimer = setInterval(() => {
    if (adapting) return;
    adapting = true;
    adapt()
      .catch((error: unknown) => log.warn("adaptive change failed", { error: String(error) }))
      .finally(() => (adapting = false));
  }, adaptiveEveryMs);
  adaptiveTimer.unref();
  const viewerCountTimer = setInterval(() => {
    for (const [sessionId, perSession] of watchers) tellViewers(sessionId, perSession.size);
  }, viewerCountEveryMs);
  viewerCountTimer.unref();

  function on<E extends keyof RenderClientToServerEvents, R>(
    socket: RenderSocket,
    event: E,
    handler: (payload: z.output<(typeof renderEventSchemas)[E]>) => Promise<R> | R,
  ): void {
    socket.on(event, (async (...args: unknown[]) => {
      const ack = takeAck(args);
      try {
        const parsed = renderEventSchemas[event].safeParse(args[0]);
        if (!parsed.success) throw new AppError("BAD_REQUEST", `Invalid ${event}: ${describeIssues(parsed.error.issues)}`);
        const data = await handler(parsed.data as z.output<(typeof renderEventSchemas)[E]>);
        ack?.({ data });
      } catch (error) {
        const described: RenderError = { ...socketErrorOf(error), event };
        if (described.code === "INTERNAL") log.error("render handler failed", { event, error: String(error) });
        socket.emit("error", described);
        ack?.({ error: described });
      }
    }) as never);
  }

  function subscribedSession(socket: RenderSocket): string {
    const sessionId = socket.data.subscription?.sessionId;
    if (!sessionId || !service.knows(sessionId)) throw new AppError("BAD_REQUEST", "Not subscribed to any session");
    return sessionId;
  }

  namespace.on("connection", (socket: RenderSocket) => {
    let inputWindow = { start: Date.now(), count: 0 };
    const input = async (value: RenderInput): Promise<void> => {
      const sessionId = subscribedSession(socket);
      const now = Date.now();
      if (now - inputWindow.start >= 1000) inputWindow = { start: now, count: 0 };
      if (++inputWindow.count > inputsPerSecond) throw new AppError("TOO_MANY_REQUESTS", `At most ${inputsPerSecond} inputs per second`);
      await service.input(sessionId, value);
    };

    const previous = socket.recovered ? socket.data.subscription : null;
    socket.data.subscription = null;
    // A connection recovered after a short gap (on this node or another) picks its session up again.
    if (previous) {
      service
        .find(previous.sessionId)
        .then((record) => {
          if (record && socket.connected && !socket.data.subscription) attach(socket, record, previous.binary);
        })
        .catch((error: unknown) => log.warn("recovered subscription not restored", { error: String(error) }));
    }
    socket.emit("status", { message: "Connected to the Canopy render farm", type: "connection" });

    on(socket, "subscribe", async ({ session_id: sessionId, binary = false }) => {
      const record = await service.find(sessionId);
      if (!record) throw new AppError("NOT_FOUND", `Session ${sessionId} not found`);
      detach(socket);
      attach(socket, record, binary);
      const payload: SubscribedPayload = {
        session_id: sessionId,
        quality: record.quality,
        fps: record.fps,
        adaptive_mode: record.adaptive,
        width: record.width,
        height: record.height,
        binary,
        message: "Subscribed to framebuffer stream",
      };
      socket.emit("subscribed", payload);
      // The last frame at once: a still page sends nothing new, yet the client must see it. (The
      // first viewer on this node gets it from the worker, which sends it to a node that joins.)
      const lastFrame = service.lastFrame(sessionId);
      if (lastFrame) watchers.get(sessionId)?.get(socket.id)?.delivery.offer(lastFrame);
      return payload;
    });

    on(socket, "unsubscribe", () => {
      const sessionId = detach(socket);
      socket.emit("unsubscribed", { message: "Unsubscribed from framebuffer stream", session_id: sessionId });
      return { session_id: sessionId };
    });

    on(socket, "input:click", async ({ x, y, button }) => {
      await input({ type: "click", x, y, button });
      socket.emit("input:acknowledged", { type: "click", x, y });
      return { type: "click" as const };
    });

    on(socket, "input:scroll", async ({ deltaX, deltaY, x, y }) => {
      await input({ type: "scroll", deltaX, deltaY, x, y });
      socket.emit("input:acknowledged", { type: "scroll", deltaX, deltaY });
      return { type: "scroll" as const };
    });

    on(socket, "input:text", async ({ text }) => {
      await input({ type: "text", text });
      socket.emit("input:acknowledged", { type: "text", length: text.length });
      return { type: "text" as const };
    });

    on(socket, "input:key", async ({ key, modifiers }) => {
      await input({ type: "key", key, modifiers });
      socket.emit("input:acknowledged", { type: "key", key });
      return { type: "key" as const };
    });

    on(socket, "quality:set", async ({ quality }) => {
      const record = await service.changeSettings(subscribedSession(socket), { quality: Math.round(quality) }, { manual: true });
      return { quality: record.quality };
    });

    on(socket, "fps:set", async ({ fps }) => {
      const record = await service.changeSettings(subscribedSession(socket), { fps: Math.round(fps) }, { manual: true });
      return { fps: record.fps };
    });

    on(socket, "adaptive:toggle", async ({ enabled }) => {
      await service.changeSettings(subscribedSession(socket), { adaptive: enabled }, { manual: true });
      return { enabled };
    });

    socket.on("disconnect", () => {
      detach(socket, { forget: false });
    });
  });

  return namespace;
}
