// The render farm as the server sees it: session lifecycle for REST and sockets, authorization
// (a caller is required; sessions are visible to their owner and staff), the per-user quota,
// worker selection, and the bus handlers that bring frames and session ends back from workers.
// Sessions and pairings are in the database, so every node of a cluster serves them; the worker
// sends a session's frames to each node that has viewers of it (it knows them: each node tells
// it its viewer count), and a session's end is announced to every node.
import crypto from "node:crypto";
import type { Caller } from "../auth/caller";
import type { RateLimiter } from "../chat/rate-limiter";
import type { PrismaClient } from "../db/generated/client";
import type { Env } from "../env";
import { AppError, isAppError } from "../errors";
import type { BusEndpoint } from "../internal/bus-endpoint";
import type { RenderInput, RenderPageInfo } from "../internal/protocol";
import type { Logger } from "../logger";
import type { ServiceRegistry } from "../status/registry";
import { createToken } from "../tokens/create-token";
import { createAllowedHostsStore } from "./allowed-hosts";
import { createPairingStore } from "./pairing";
import { createRenderSessionStore, type CachedFrame, type RenderSessionRecord } from "./session-registry";
import { toRenderTarget } from "./targets";
import { originOf, type UrlPolicy } from "./url-policy";

export const renderDefaults = { width: 1280, height: 720, quality: 75, fps: 25, adaptive: true } as const;

export type CreateSessionInput = {
  url?: string;
  width?: number;
  height?: number;
  quality?: number;
  fps?: number;
  adaptive?: boolean;
};

export type SessionView = {
  session_id: string;
  created_at: number;
  last_activity: number;
  page_info: { url: string; title: string };
  width: number;
  height: number;
  quality: number;
  fps: number;
  adaptive_mode: boolean;
  subscribers: number;
};

export type SettingsChange = { quality?: number; fps?: number; adaptive?: boolean };

type EndReason = "closed" | "timeout" | "crashed" | "failed";

/** What one node tells the others (through the Socket.IO adapter) about the render farm. */
export type RenderPeerEvent =
  | { kind: "ended"; sessionId: string; reason: EndReason; message?: string }
  | { kind: "allowedHostsChanged" }
  /** A node's slowest measured viewer of an adaptive session (render namespace, adaptive mode). */
  | { kind: "slowestViewer"; sessionId: string; node: string; bps: number }
  /** A session's settings after a change through a node (the others' adaptive mode follows them). */
  | { kind: "settings"; sessionId: string; settings: AdaptiveSettings };

/** What adaptive mode needs of a session: whether it is on, and the settings a tier would change. */
export type AdaptiveSettings = Pick<RenderSessionRecord, "quality" | "fps" | "adaptive">;

/** The other nodes of a cluster; absent on a single node. */
export type RenderPeers = { broadcast(event: RenderPeerEvent): void; onEvent(listener: (event: RenderPeerEvent) => void): void };

const workerGraceMs = 5000;
/** A worker that lost a session says why (renderEnded); only when that never comes is it ended as failed. */
const endReportGraceMs = 2000;

export type RenderService = ReturnType<typeof createRenderService>;

export function createRenderService(deps: {
  bus: BusEndpoint;
  registry: ServiceRegistry;
  prisma: PrismaClient;
  env: Env;
  logger: Logger;
  /** Pairing attempts are limited per user and address: shared (Redis) on a cluster. */
  rateLimiter: RateLimiter;
  peers?: RenderPeers;
}) {
  const { bus, env } = deps;
  const log = deps.logger;
  const sessions = createRenderSessionStore({ prisma: deps.prisma });
  const pairing = createPairingStore({ prisma: deps.prisma });
  const limiter = deps.rateLimiter;
  const frameListeners = new Set<(sessionId: string, frame: CachedFrame) => void>();
  const endListeners = new Set<(sessionId: string, reason: EndReason, message?: string) => void>();
  const settingsListeners = new Set<(record: RenderSessionRecord, change: SettingsChange) => void>();
  const lostWorkers = new Map<string, NodeJS.Timeout>();
  /** The worker of each session this node dealt with (it never changes): inputs and frames need no query. */
  const workerOf = new Map<string, string>();
  /** The last frame of each session this node has viewers of, sent at once to a new viewer. */
  const lastFrames = new Map<string, CachedFrame>();
  let internalUrl = `http://127.0.0.1:${env.PORT}`;

  const allowList = createAllowedHostsStore({
    prisma: deps.prisma,
    envHosts: env.RENDER_ALLOWED_HOSTS,
    onChange: (allowedHosts) => {
      // Rooms span the cluster: every render worker hears it, whichever node it is connected to.
      for (const workerId of deps.registry.workersProviding("render")) bus.tell(workerLabel(workerId), "renderPolicy", { allowedHosts });
      deps.peers?.broadcast({ kind: "allowedHostsChanged" });
    },
  });

  const workerLabel = (workerId: string) => `worker:${workerId}`;

  const origins = (...values: Array<string | undefined>) => values.map((value) => (value ? originOf(value) : null)).filter((origin): origin is string => Boolean(origin));

  /** Origins that are this very server: URLs on them are loaded from the server's own URL. */
  function localOrigins(requestOrigin?: string): string[] {
    return origins(internalUrl, process.env.NEXTAUTH_URL, requestOrigin);
  }

  async function policy(requestOrigin?: string): Promise<UrlPolicy> {
    return { ownOrigins: [...localOrigins(requestOrigin), ...origins(env.CANOPY_PUBLIC_URL)], allowedHosts: await allowList.merged() };
  }

  async function targetOf(url: string, requestOrigin?: string) {
    return toRenderTarget(url, await policy(requestOrigin), localOrigins(requestOrigin));
  }

  function publicUrl(info: RenderPageInfo, requestOrigin?: string): string {
    if (info.canopyPath === undefined) return info.url;
    const origin = originOf(env.CANOPY_PUBLIC_URL ?? requestOrigin ?? internalUrl) ?? internalUrl;
    return origin + info.canopyPath;
  }

  function view(record: RenderSessionRecord, requestOrigin?: string): SessionView {
    return {
      session_id: record.id,
      created_at: record.createdAt / 1000,
      last_activity: record.lastActivity / 1000,
      page_info: { url: publicUrl(record.pageInfo, requestOrigin), title: record.pageInfo.title },
      width: record.width,
      height: record.height,
      quality: record.quality,
      fps: record.fps,
      adaptive_mode: record.adaptive,
      subscribers: record.subscribers,
    };
  }

  function requireCaller(caller: Caller | null): Caller {
    if (!caller) throw new AppError("UNAUTHORIZED", "Sign in, or send an API token as Authorization: Bearer <token>");
    return caller;
  }

  async function find(sessionId: string): Promise<RenderSessionRecord | undefined> {
    const record = await sessions.get(sessionId);
    if (record) workerOf.set(sessionId, record.workerId);
    return record;
  }

  async function existing(sessionId: string): Promise<RenderSessionRecord> {
    const record = await find(sessionId);
    if (!record) throw new AppError("NOT_FOUND", `Session ${sessionId} not found`);
    return record;
  }

  /** The session when the caller owns it or is staff; anyone else is told it does not exist. */
  async function access(caller: Caller | null, sessionId: string): Promise<RenderSessionRecord> {
    const who = requireCaller(caller);
    const record = await find(sessionId);
    if (!record || (record.ownerId !== who.userId && who.role !== "STAFF")) throw new AppError("NOT_FOUND", `Session ${sessionId} not found`);
    return record;
  }

  async function workerHosting(sessionId: string): Promise<string> {
    return workerOf.get(sessionId) ?? (await existing(sessionId)).workerId;
  }

  function forget(sessionId: string, reason: EndReason, message?: string): void {
    workerOf.delete(sessionId);
    lastFrames.delete(sessionId);
    for (const listener of endListeners) listener(sessionId, reason, message);
  }

  /** Ends the session on every node; only the node that removes it reports the end (once). */
  async function end(sessionId: string, reason: EndReason, message?: string): Promise<void> {
    const record = await sessions.remove(sessionId);
    if (!record) return;
    log.info("render session ended", { sessionId, reason, workerId: record.workerId });
    forget(sessionId, reason, message);
    deps.peers?.broadcast({ kind: "ended", sessionId, reason, ...(message !== undefined && { message }) });
  }

  deps.peers?.onEvent((event) => {
    if (event.kind === "ended") forget(event.sessionId, event.reason, event.message);
    else if (event.kind === "allowedHostsChanged") allowList.invalidate();
  });

  /**
   * Asks the session's worker. A worker that no longer knows the session ends it everywhere, a
   * little later: it may be closing right now (through another node), and that end has the reason.
   */
  async function askWorker<T>(sessionId: string, ask: (label: string) => Promise<T>): Promise<T> {
    try {
      return await ask(workerLabel(await workerHosting(sessionId)));
    } catch (error) {
      if (isAppError(error) && error.code === "NOT_FOUND") {
        setTimeout(() => void end(sessionId, "failed", "The session is gone from its worker").catch((failure: unknown) => log.warn("lost session not ended", { sessionId, error: String(failure) })), endReportGraceMs).unref();
      }
      throw error;
    }
  }

  const workerAlive = (workerId: string) => deps.registry.workerSummaries().some((worker) => worker.workerId === workerId && worker.status !== "dead");

  async function endSessionsOfWorker(workerId: string, message: string): Promise<void> {
    for (const record of await sessions.ofWorker(workerId)) await end(record.id, "failed", message);
  }

  // Frames come only from the worker that hosts the session, to the nodes that asked for them.
  bus.handle("renderFrame", async (data, envelope) => {
    const workerId = workerOf.get(data.sessionId) ?? (await find(data.sessionId))?.workerId;
    if (!workerId || envelope.ack !== workerLabel(workerId)) return;
    const previous = lastFrames.get(data.sessionId);
    if (previous && previous.seq >= data.seq) return;
    const bytes = Buffer.isBuffer(data.data) ? data.data : Buffer.from(data.data.buffer, data.data.byteOffset, data.data.byteLength);
    const frame: CachedFrame = { sessionId: data.sessionId, seq: data.seq, data: bytes, timestamp: data.timestamp, width: data.width, height: data.height, quality: data.quality };
    lastFrames.set(data.sessionId, frame);
    for (const listener of frameListeners) listener(data.sessionId, frame);
  });
  bus.handle("renderEnded", async (data, envelope) => {
    const workerId = workerOf.get(data.sessionId) ?? (await find(data.sessionId))?.workerId;
    if (!workerId || envelope.ack !== workerLabel(workerId)) return;
    await end(data.sessionId, data.reason, data.message);
  });
  bus.handle("renderSessions", async (data, envelope) => {
    if (envelope.ack !== workerLabel(data.workerId)) return;
    const lost = lostWorkers.get(data.workerId);
    if (lost) clearTimeout(lost);
    lostWorkers.delete(data.workerId);
    const reported = new Map(data.sessions.map((summary) => [summary.sessionId, summary]));
    for (const record of await sessions.ofWorker(data.workerId)) if (!reported.has(record.id)) await end(record.id, "failed", "Its worker no longer hosts it");
    // After the database lost them (or a create's node died before it saw the reply), the worker still has its sessions: take them back.
    for (const summary of reported.values()) {
      const { sessionId, ...values } = summary;
      await sessions.adopt({ ...values, id: sessionId, workerId: data.workerId, adaptive: false, subscribers: 0 });
    }
  });
  bus.handle("renderPolicyGet", async () => ({ allowedHosts: await allowList.merged() }));

  /**
   * Sessions whose worker nobody hears from (e.g. every node restarted without it): gone, like the
   * worker. Reservations whose creation's node died: dropped, so they stop holding a place.
   */
  async function sweepOrphans(): Promise<void> {
    await sessions.dropStaleReservations();
    for (const workerId of (await sessions.countsByWorker()).keys()) if (workerId && !workerAlive(workerId)) goneWorker(workerId);
  }
  // Not sooner than a heartbeat timeout after start: until then this node may not have heard every live worker.
  const orphanTimer = setInterval(() => void sweepOrphans().catch((error: unknown) => log.warn("render sessions not swept", { error: String(error) })), Math.max(10_000, env.HEARTBEAT_INTERVAL_SECONDS * 3000));
  orphanTimer.unref();

  /**
   * A worker is gone (its connection here, or it stopped being alive cluster-wide): its sessions
   * fail unless it comes back soon, to any node, and reports them.
   */
  function goneWorker(workerId: string): void {
    if (lostWorkers.has(workerId)) return;
    lostWorkers.set(
      workerId,
      setTimeout(() => {
        lostWorkers.delete(workerId);
        if (workerAlive(workerId)) return;
        endSessionsOfWorker(workerId, "Its render worker went away").catch((error: unknown) => log.warn("sessions of a lost worker not ended", { workerId, error: String(error) }));
      }, workerGraceMs),
    );
  }

  /**
   * Render workers, least loaded first (sessions in the database, or the worker's own count when
   * higher). Those that look full come last, still asked: a heartbeat's count may be a second old,
   * and the worker's own answer says why it refuses.
   */
  async function rankedWorkers(): Promise<string[]> {
    const counts = await sessions.countsByWorker();
    const ranked = deps.registry.ranked("render", (workerId) => Math.max(counts.get(workerId) ?? 0, deps.registry.loadOf(workerId, "render") ?? 0));
    return [...ranked, ...deps.registry.workersProviding("render").filter((workerId) => !ranked.includes(workerId))];
  }

  return {
    allowList,
    policy,
    setInternalUrl(url: string) {
      internalUrl = url;
    },
    onFrame(listener: (sessionId: string, frame: CachedFrame) => void) {
      frameListeners.add(listener);
    },
    onEnded(listener: (sessionId: string, reason: EndReason, message?: string) => void) {
      endListeners.add(listener);
    },
    onSettings(listener: (record: RenderSessionRecord, change: SettingsChange) => void) {
      settingsListeners.add(listener);
    },

    workerGone: goneWorker,

    /** Members (session or API token): a new session on the least loaded worker, optionally loading a first page. */
    async create(caller: Caller | null, input: CreateSessionInput, requestOrigin?: string): Promise<SessionView> {
      const who = requireCaller(caller);
      const settings = {
        width: input.width ?? renderDefaults.width,
        height: input.height ?? renderDefaults.height,
        quality: input.quality ?? renderDefaults.quality,
        fps: input.fps ?? renderDefaults.fps,
      };
      const adaptive = input.adaptive ?? renderDefaults.adaptive;
      const sessionId = crypto.randomBytes(24).toString("base64url");
      if (!(await sessions.reserve({ id: sessionId, ownerId: who.userId, limit: env.RENDER_SESSIONS_PER_USER, settings: { ...settings, adaptive } }))) {
        throw new AppError("TOO_MANY_REQUESTS", `You already have ${env.RENDER_SESSIONS_PER_USER} render sessions (the most one user may hold); close one first`);
      }
      let created = false;
      try {
        const currentPolicy = await policy(requestOrigin);
        const target = input.url ? await targetOf(input.url, requestOrigin) : undefined;
        const workers = await rankedWorkers();
        if (!workers.length) throw new AppError("UNAVAILABLE", "No render worker is available; try again later");
        let refusal: AppError | undefined;
        for (const workerId of workers) {
          try {
            const summary = await bus.ask(
              workerLabel(workerId),
              "renderCreate",
              { sessionId, ownerId: who.userId, ...settings, target, allowedHosts: [...currentPolicy.allowedHosts] },
              { timeoutMs: 30_000 },
            );
            const { sessionId: _id, ...values } = summary;
            const record = await sessions.activate(sessionId, workerId, { ...values, adaptive }).catch((error: unknown) => {
              bus.ask(workerLabel(workerId), "renderClose", { sessionId }).catch(() => undefined);
              throw error;
            });
            created = true;
            workerOf.set(sessionId, workerId);
            log.info("render session created", { sessionId, workerId, owner: who.username });
            return view(record, requestOrigin);
          } catch (error) {
            if (isAppError(error) && error.code === "TIMEOUT") {
              // It may still appear on the worker: make sure it does not linger there.
              bus.ask(workerLabel(workerId), "renderClose", { sessionId }).catch(() => undefined);
            }
            if (isAppError(error) && (error.code === "UNAVAILABLE" || error.code === "TIMEOUT")) {
              refusal = error;
              continue;
            }
            throw error;
          }
        }
        throw refusal ?? new AppError("UNAVAILABLE", "No render worker is available; try again later");
      } finally {
        if (!created) await sessions.discard(sessionId);
      }
    },

    async load(caller: Caller | null, sessionId: string, url: string, requestOrigin?: string): Promise<SessionView> {
      const record = await access(caller, sessionId);
      const target = await targetOf(url, requestOrigin);
      const change = { pageInfo: await askWorker(sessionId, (label) => bus.ask(label, "renderLoad", { sessionId, target }, { timeoutMs: 25_000 })), lastActivity: Date.now() };
      await sessions.update(sessionId, change);
      return view({ ...record, ...change }, requestOrigin);
    },

    async info(caller: Caller | null, sessionId: string, requestOrigin?: string): Promise<SessionView> {
      const record = await access(caller, sessionId);
      const summary = await askWorker(sessionId, (label) => bus.ask(label, "renderInfo", { sessionId }));
      const change = { pageInfo: summary.pageInfo, lastActivity: summary.lastActivity };
      await sessions.update(sessionId, change);
      return view({ ...record, ...change }, requestOrigin);
    },

    async keepalive(caller: Caller | null, sessionId: string): Promise<SessionView> {
      const record = await access(caller, sessionId);
      const reply = await askWorker(sessionId, (label) => bus.ask(label, "renderKeepalive", { sessionId }));
      await sessions.update(sessionId, { lastActivity: reply.lastActivity });
      return view({ ...record, lastActivity: reply.lastActivity });
    },

    async close(caller: Caller | null, sessionId: string): Promise<void> {
      const record = await access(caller, sessionId);
      await bus.ask(workerLabel(record.workerId), "renderClose", { sessionId }).catch((error: unknown) => {
        if (!isAppError(error) || error.code !== "NOT_FOUND") log.warn("render close not confirmed by worker", { sessionId, error: String(error) });
      });
      await end(sessionId, "closed");
    },

    /** Members see their own sessions; staff see all. */
    async list(caller: Caller | null, requestOrigin?: string): Promise<{ active_sessions: number; sessions: Array<SessionView & { current_page: string; owner_id: string }> }> {
      const who = requireCaller(caller);
      const visible = who.role === "STAFF" ? await sessions.all() : await sessions.ofOwner(who.userId);
      return {
        active_sessions: visible.length,
        sessions: visible.map((record) => {
          const shown = view(record, requestOrigin);
          return { ...shown, current_page: shown.page_info.url, owner_id: record.ownerId };
        }),
      };
    },

    /** REST handlers that act on a session without asking its worker first. */
    async authorize(caller: Caller | null, sessionId: string): Promise<void> {
      await access(caller, sessionId);
    },

    // ---- pairing a thin device ----

    /** Anyone (the thin device): a code to show, and the secret id to poll with. Rate limited per address. */
    async pairStart(address: string): Promise<{ code: string; pairing_id: string; expires_at: number; expires_in: number }> {
      const wait = await limiter.hit(`pair-start:${address}`, 10, 60_000);
      if (wait) throw new AppError("TOO_MANY_REQUESTS", `Too many pairing codes; try again in ${Math.ceil(wait / 1000)} s`, { retryAfterMs: wait });
      const started = await pairing.start();
      return { code: started.code, pairing_id: started.pairingId, expires_at: started.expiresAt / 1000, expires_in: Math.round((started.expiresAt - Date.now()) / 1000) };
    },

    /** Members, on their phone: claim the device showing the code. Ten wrong codes per ten minutes at most. */
    async pairApprove(caller: Caller | null, code: string): Promise<{ code: string }> {
      const who = requireCaller(caller);
      const wait = await limiter.hit(`pair-approve:${who.userId}`, 10, 10 * 60_000);
      if (wait) throw new AppError("TOO_MANY_REQUESTS", `Too many attempts; try again in ${Math.ceil(wait / 60_000)} min`, { retryAfterMs: wait });
      return pairing.approve(code, who.userId);
    },

    /** The thin device: still waiting, or (once) an API token of the user who approved it. */
    async pairPoll(pairingId: string): Promise<{ status: "pending"; expires_at: number } | { status: "approved"; token: string; username: string }> {
      const state = await pairing.poll(pairingId);
      if (!state) throw new AppError("NOT_FOUND", "This pairing expired or was used; start again");
      if (state.status === "pending") return { status: "pending", expires_at: state.expiresAt / 1000 };
      const user = await deps.prisma.user.findUnique({ where: { id: state.userId } });
      if (!user) throw new AppError("NOT_FOUND", "The approving account no longer exists");
      const created = await createToken({ prisma: deps.prisma, userId: user.id, name: `Thin device paired ${new Date().toISOString().slice(0, 10)}` });
      log.info("thin device paired", { username: user.username, tokenId: created.id });
      return { status: "approved", token: created.token, username: user.username };
    },

    // ---- used by the /render namespace (the subscriber holds the session id) ----

    find,

    /** Whether this node still knows the session (an end, from any node, makes it forget). */
    knows: (sessionId: string) => workerOf.has(sessionId),

    lastFrame: (sessionId: string) => lastFrames.get(sessionId),

    /**
     * This node's viewer count of the session, for its worker (which adds up the nodes' counts,
     * runs the screencast while there are any, and sends frames to the nodes that have viewers).
     */
    async setSubscribers(sessionId: string, count: number): Promise<void> {
      if (!count) lastFrames.delete(sessionId);
      const reply = await askWorker(sessionId, (label) => bus.ask(label, "renderSubscribers", { sessionId, count }));
      await sessions.update(sessionId, { subscribers: reply.total, lastActivity: Date.now() });
    },

    async input(sessionId: string, input: RenderInput): Promise<void> {
      await askWorker(sessionId, (label) => bus.ask(label, "renderInput", { sessionId, input }));
    },

    /** Quality / frame rate / adaptive mode. A manual quality or fps turns adaptive mode off (Jiomosa). */
    async changeSettings(sessionId: string, change: SettingsChange, options: { manual: boolean }): Promise<RenderSessionRecord> {
      const record = await existing(sessionId);
      const applied: SettingsChange = {};
      if (change.quality !== undefined || change.fps !== undefined) {
        const reply = await askWorker(sessionId, (label) => bus.ask(label, "renderSettings", { sessionId, quality: change.quality, fps: change.fps }));
        if (reply.quality !== record.quality || change.quality !== undefined) applied.quality = reply.quality;
        if (reply.fps !== record.fps || change.fps !== undefined) applied.fps = reply.fps;
        record.quality = reply.quality;
        record.fps = reply.fps;
        if (options.manual && record.adaptive) {
          record.adaptive = false;
          applied.adaptive = false;
        }
      }
      if (change.adaptive !== undefined) {
        record.adaptive = change.adaptive;
        applied.adaptive = change.adaptive;
      }
      await sessions.update(sessionId, { quality: record.quality, fps: record.fps, adaptive: record.adaptive });
      for (const listener of settingsListeners) listener(record, applied);
      return record;
    },

    /** Anyone: what the health endpoint reports. */
    async health() {
      const workers = deps.registry.workersProviding("render");
      return { workers: workers.length, activeSessions: await sessions.count() };
    },
  };
}
