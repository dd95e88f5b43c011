// The render farm as the server sees it: session lifecycle for REST and sockets, authorization
// (a caller is required; sessions are visible to their owner and staff), the per-user quota,
// worker selection, and the bus handlers that bring frames and session ends back from workers.
import crypto from "node:crypto";
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import type { Env } from "../env";
import { AppError, isAppError } from "../errors";
import type { BusEndpoint } from "../internal/bus-endpoint";
import type { RenderInput, RenderPageInfo, RenderSessionSummary } from "../internal/protocol";
import type { Logger } from "../logger";
import type { ServiceRegistry } from "../status/registry";
import { createAllowedHostsStore } from "./allowed-hosts";
import { createMemoryRateLimiter } from "../chat/rate-limiter";
import { createToken } from "../tokens/create-token";
import { createPairingStore } from "./pairing";
import { RenderSessionRegistry, type CachedFrame, type RenderSessionRecord } from "./session-registry";
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

const workerGraceMs = 5000;

export type RenderService = ReturnType<typeof createRenderService>;

export function createRenderService(deps: { bus: BusEndpoint; registry: ServiceRegistry; prisma: PrismaClient; env: Env; logger: Logger }) {
  const { bus, env } = deps;
  const log = deps.logger;
  const sessions = new RenderSessionRegistry();
  const pairing = createPairingStore();
  const limiter = createMemoryRateLimiter();
  const frameListeners = new Set<(record: RenderSessionRecord, frame: CachedFrame) => void>();
  const endListeners = new Set<(sessionId: string, reason: EndReason, message?: string) => void>();
  const settingsListeners = new Set<(record: RenderSessionRecord, change: SettingsChange) => void>();
  const lostWorkers = new Map<string, NodeJS.Timeout>();
  let internalUrl = `http://127.0.0.1:${env.PORT}`;

  const allowList = createAllowedHostsStore({
    prisma: deps.prisma,
    envHosts: env.RENDER_ALLOWED_HOSTS,
    onChange: (allowedHosts) => {
      for (const workerId of deps.registry.workersProviding("render")) bus.tell(workerLabel(workerId), "renderPolicy", { allowedHosts });
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

  /** The session when the caller owns it or is staff; anyone else is told it does not exist. */
  function access(caller: Caller | null, sessionId: string): RenderSessionRecord {
    const who = requireCaller(caller);
    const record = sessions.get(sessionId);
    if (!record || (record.ownerId !== who.userId && who.role !== "STAFF")) throw new AppError("NOT_FOUND", `Session ${sessionId} not found`);
    return record;
  }

  function end(sessionId: string, reason: EndReason, message?: string): void {
    const record = sessions.remove(sessionId);
    if (!record) return;
    log.info("render session ended", { sessionId, reason, workerId: record.workerId });
    for (const listener of endListeners) listener(sessionId, reason, message);
  }

  /** Asks the session's worker; a worker that no longer knows the session ends it here too. */
  async function askWorker<T>(record: RenderSessionRecord, ask: (label: string) => Promise<T>): Promise<T> {
    try {
      return await ask(workerLabel(record.workerId));
    } catch (error) {
      if (isAppError(error) && error.code === "NOT_FOUND") end(record.id, "failed", "The session is gone from its worker");
      throw error;
    }
  }

  function adopt(workerId: string, summary: RenderSessionSummary, adaptive: boolean): RenderSessionRecord {
    const record: RenderSessionRecord = {
      id: summary.sessionId,
      ownerId: summary.ownerId,
      workerId,
      createdAt: summary.createdAt,
      lastActivity: summary.lastActivity,
      width: summary.width,
      height: summary.height,
      quality: summary.quality,
      fps: summary.fps,
      adaptive,
      pageInfo: summary.pageInfo,
      lastFrame: null,
      subscribers: 0,
    };
    sessions.add(record);
    return record;
  }

  // Frames and ends come only from the worker that hosts the session.
  bus.handle("renderFrame", (data, envelope) => {
    const record = sessions.get(data.sessionId);
    if (!record || envelope.ack !== workerLabel(record.workerId)) return;
    const bytes = Buffer.isBuffer(data.data) ? data.data : Buffer.from(data.data.buffer, data.data.byteOffset, data.data.byteLength);
    const frame: CachedFrame = { sessionId: record.id, seq: data.seq, data: bytes, timestamp: data.timestamp, width: data.width, height: data.height, quality: data.quality };
    record.lastFrame = frame;
    for (const listener of frameListeners) listener(record, frame);
  });
  bus.handle("renderEnded", (data, envelope) => {
    const record = sessions.get(data.sessionId);
    if (!record || envelope.ack !== workerLabel(record.workerId)) return;
    end(data.sessionId, data.reason, data.message);
  });
  bus.handle("renderSessions", (data, envelope) => {
    if (envelope.ack !== workerLabel(data.workerId)) return;
    const lost = lostWorkers.get(data.workerId);
    if (lost) clearTimeout(lost);
    lostWorkers.delete(data.workerId);
    const reported = new Map(data.sessions.map((summary) => [summary.sessionId, summary]));
    for (const record of sessions.ofWorker(data.workerId)) if (!reported.has(record.id)) end(record.id, "failed", "Its worker no longer hosts it");
    // After a server restart the worker still has its sessions: take them back.
    for (const summary of reported.values()) if (!sessions.get(summary.sessionId)) adopt(data.workerId, summary, false);
  });
  bus.handle("renderPolicyGet", async () => ({ allowedHosts: await allowList.merged() }));

  return {
    sessions,
    pairing,
    allowList,
    policy,
    setInternalUrl(url: string) {
      internalUrl = url;
    },
    onFrame(listener: (record: RenderSessionRecord, frame: CachedFrame) => void) {
      frameListeners.add(listener);
    },
    onEnded(listener: (sessionId: string, reason: EndReason, message?: string) => void) {
      endListeners.add(listener);
    },
    onSettings(listener: (record: RenderSessionRecord, change: SettingsChange) => void) {
      settingsListeners.add(listener);
    },

    /** A worker's bus connection is gone: its sessions fail unless it comes back and reports them soon. */
    workerGone(workerId: string): void {
      if (!sessions.countOfWorker(workerId) || lostWorkers.has(workerId)) return;
      lostWorkers.set(
        workerId,
        setTimeout(() => {
          lostWorkers.delete(workerId);
          for (const record of sessions.ofWorker(workerId)) end(record.id, "failed", "Its render worker went away");
        }, workerGraceMs),
      );
    },

    /** Members (session or API token): a new session, optionally loading a first page. */
    async create(caller: Caller | null, input: CreateSessionInput, requestOrigin?: string): Promise<SessionView> {
      const who = requireCaller(caller);
      const release = sessions.reserve(who.userId, env.RENDER_SESSIONS_PER_USER);
      if (!release) {
        throw new AppError("TOO_MANY_REQUESTS", `You already have ${env.RENDER_SESSIONS_PER_USER} render sessions (the most one user may hold); close one first`);
      }
      try {
        const currentPolicy = await policy(requestOrigin);
        const target = input.url ? await targetOf(input.url, requestOrigin) : undefined;
        // Least loaded first: this node's sessions, or the worker's own count (sessions of every node) when higher.
        const load = (workerId: string) => Math.max(sessions.countOfWorker(workerId), deps.registry.loadOf(workerId, "render") ?? 0);
        const workers = deps.registry.workersProviding("render").sort((a, b) => load(a) - load(b));
        if (!workers.length) throw new AppError("UNAVAILABLE", "No render worker is available; try again later");
        const settings = {
          width: input.width ?? renderDefaults.width,
          height: input.height ?? renderDefaults.height,
          quality: input.quality ?? renderDefaults.quality,
          fps: input.fps ?? renderDefaults.fps,
        };
        let refusal: AppError | undefined;
        for (const workerId of workers) {
          const sessionId = crypto.randomBytes(24).toString("base64url");
          try {
            const summary = await bus.ask(
              workerLabel(workerId),
              "renderCreate",
              { sessionId, ownerId: who.userId, ...settings, target, allowedHosts: [...currentPolicy.allowedHosts] },
              { timeoutMs: 30_000 },
            );
            const record = adopt(workerId, summary, input.adaptive ?? renderDefaults.adaptive);
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
        release();
      }
    },

    async load(caller: Caller | null, sessionId: string, url: string, requestOrigin?: string): Promise<SessionView> {
      const record = access(caller, sessionId);
      const target = await targetOf(url, requestOrigin);
      record.pageInfo = await askWorker(record, (label) => bus.ask(label, "renderLoad", { sessionId, target }, { timeoutMs: 25_000 }));
      record.lastActivity = Date.now();
      return view(record, requestOrigin);
    },

    async info(caller: Caller | null, sessionId: string, requestOrigin?: string): Promise<SessionView> {
      const record = access(caller, sessionId);
      const summary = await askWorker(record, (label) => bus.ask(label, "renderInfo", { sessionId }));
      record.pageInfo = summary.pageInfo;
      record.lastActivity = summary.lastActivity;
      return view(record, requestOrigin);
    },

    async keepalive(caller: Caller | null, sessionId: string): Promise<SessionView> {
      const record = access(caller, sessionId);
      const reply = await askWorker(record, (label) => bus.ask(label, "renderKeepalive", { sessionId }));
      record.lastActivity = reply.lastActivity;
      return view(record);
    },

    async close(caller: Caller | null, sessionId: string): Promise<void> {
      const record = access(caller, sessionId);
      await bus.ask(workerLabel(record.workerId), "renderClose", { sessionId }).catch((error: unknown) => {
        if (!isAppError(error) || error.code !== "NOT_FOUND") log.warn("render close not confirmed by worker", { sessionId, error: String(error) });
      });
      end(sessionId, "closed");
    },

    /** Members see their own sessions; staff see all. */
    list(caller: Caller | null, requestOrigin?: string): { active_sessions: number; sessions: Array<SessionView & { current_page: string; owner_id: string }> } {
      const who = requireCaller(caller);
      const visible = who.role === "STAFF" ? sessions.all() : sessions.ofOwner(who.userId);
      return {
        active_sessions: visible.length,
        sessions: visible.map((record) => {
          const shown = view(record, requestOrigin);
          return { ...shown, current_page: shown.page_info.url, owner_id: record.ownerId };
        }),
      };
    },

    /** REST handlers that act on a session without asking its worker first. */
    authorize(caller: Caller | null, sessionId: string): void {
      access(caller, sessionId);
    },

    // ---- pairing a thin device ----

    /** Anyone (the thin device): a code to show, and the secret id to poll with. Rate limited per address. */
    async pairStart(address: string): Promise<{ code: string; pairing_id: string; expires_at: number; expires_in: number }> {
      const wait = await limiter.hit(`pair-start:${address}`, 10, 60_000);
      if (wait) throw new AppError("TOO_MANY_REQUESTS", `Too many pairing codes; try again in ${Math.ceil(wait / 1000)} s`, { retryAfterMs: wait });
      const started = pairing.start();
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
      const state = pairing.poll(pairingId);
      if (!state) throw new AppError("NOT_FOUND", "This pairing expired or was used; start again");
      if (state.status === "pending") return { status: "pending", expires_at: state.expiresAt / 1000 };
      const user = await deps.prisma.user.findUnique({ where: { id: state.userId } });
      if (!user) throw new AppError("NOT_FOUND", "The approving account no longer exists");
      const created = await createToken({ prisma: deps.prisma, userId: user.id, name: `Thin device ${state.code}` });
      log.info("thin device paired", { username: user.username, tokenId: created.id });
      return { status: "approved", token: created.token, username: user.username };
    },

    // ---- used by the /render namespace (the subscriber holds the session id) ----

    find(sessionId: string): RenderSessionRecord | undefined {
      return sessions.get(sessionId);
    },

    setSubscribers(sessionId: string, count: number): void {
      const record = sessions.get(sessionId);
      if (!record || record.subscribers === count) return;
      record.subscribers = count;
      record.lastActivity = Date.now();
      bus.tell(workerLabel(record.workerId), "renderSubscribers", { sessionId, count });
    },

    async input(sessionId: string, input: RenderInput): Promise<void> {
      const record = sessions.get(sessionId);
      if (!record) throw new AppError("NOT_FOUND", `Session ${sessionId} not found`);
      record.lastActivity = Date.now();
      await askWorker(record, (label) => bus.ask(label, "renderInput", { sessionId, input }));
    },

    /** Quality / frame rate / adaptive mode. A manual quality or fps turns adaptive mode off (Jiomosa). */
    async changeSettings(sessionId: string, change: SettingsChange, options: { manual: boolean }): Promise<RenderSessionRecord> {
      const record = sessions.get(sessionId);
      if (!record) throw new AppError("NOT_FOUND", `Session ${sessionId} not found`);
      const applied: SettingsChange = {};
      if (change.quality !== undefined || change.fps !== undefined) {
        const reply = await askWorker(record, (label) => bus.ask(label, "renderSettings", { sessionId, quality: change.quality, fps: change.fps }));
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
      for (const listener of settingsListeners) listener(record, applied);
      return record;
    },

    /** Anyone: what the health endpoint reports. */
    health() {
      const workers = deps.registry.workersProviding("render");
      return { workers: workers.length, activeSessions: sessions.size };
    },
  };
}
