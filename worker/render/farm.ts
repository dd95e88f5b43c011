// The render farm of one worker: the browser, the egress proxy, a warm pool of prepared
// contexts, the sessions with their limits and timeouts. Transport-free: the capability wires it
// to the bus; the benchmark and tests can drive it directly.
import type { Browser } from "puppeteer-core";
import { AppError } from "../../server/errors";
import type { Logger } from "../../server/logger";
import type { RenderInput, RenderPageInfo, RenderSessionSummary, RenderTarget } from "../../server/internal/protocol";
import { normaliseHostPattern, originOf, type LookupAll, type UrlPolicy } from "../../server/render/url-policy";
import { createBrowserManager } from "./browser";
import { startEgressProxy, systemLookup, type EgressProxy } from "./egress-proxy";
import { preparePage, RenderSession, type PreparedPage, type RenderFrame } from "./session";

export type EndReason = "closed" | "timeout" | "crashed" | "failed";

export type RenderFarmOptions = {
  executablePath: string;
  /** The server node Canopy pages load from now, and every node (all are Canopy's own origins). */
  serverUrl: () => string;
  serverUrls: string[];
  /** Other origins that are Canopy itself (the public URL). */
  extraOwnOrigins?: string[];
  maxSessions: number;
  warmPool: number;
  sessionTimeoutMs: number;
  allowedHosts: string[];
  maxFrameBytes: number;
  logger: Logger;
  lookup?: LookupAll;
  onFrame: (frame: RenderFrame) => void;
  onEnded: (sessionId: string, reason: EndReason, message?: string) => void;
};

export type CreateSessionInput = {
  sessionId: string;
  ownerId: string;
  width: number;
  height: number;
  quality: number;
  fps: number;
  target?: RenderTarget;
  allowedHosts?: string[];
};

export type RenderFarm = Awaited<ReturnType<typeof createRenderFarm>>;

export async function createRenderFarm(options: RenderFarmOptions) {
  const log = options.logger;
  const lookup = options.lookup ?? systemLookup;
  const ownOrigins = [...new Set([...options.serverUrls.map(originOf), ...(options.extraOwnOrigins ?? []).map(originOf)].filter((origin): origin is string => Boolean(origin)))];
  let allowedHosts = normaliseList(options.allowedHosts);
  const policy = (): UrlPolicy => ({ ownOrigins, allowedHosts });

  const sessions = new Map<string, RenderSession>();
  const pool: PreparedPage[] = [];
  let creating = 0;
  let refilling = false;
  let stopped = false;

  const proxy: EgressProxy = await startEgressProxy({ ownOrigins: () => ownOrigins, logger: log.child("egress"), lookup });

  const browser = createBrowserManager({
    executablePath: options.executablePath,
    proxyUrl: proxy.url,
    logger: log,
    onCrash: () => {
      pool.length = 0;
      for (const session of [...sessions.values()]) end(session, "crashed", "Chromium stopped; the session was lost");
    },
    onLaunch: () => void refill(),
  });

  async function prepare(instance: Browser): Promise<PreparedPage> {
    const context = await instance.createBrowserContext();
    try {
      return await preparePage(context);
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  /** Keeps `warmPool` prepared contexts ready while the browser runs. */
  async function refill(): Promise<void> {
    if (refilling || stopped) return;
    refilling = true;
    try {
      while (!stopped && pool.length < options.warmPool && browser.running()) {
        pool.push(await prepare(await browser.get()));
      }
    } catch (error) {
      log.warn("warm pool refill failed", { error: String(error) });
    } finally {
      refilling = false;
    }
  }

  function end(session: RenderSession, reason: EndReason, message?: string): void {
    if (!sessions.delete(session.id)) return;
    void session.close();
    log.info("render session ended", { sessionId: session.id, reason });
    options.onEnded(session.id, reason, message);
  }

  const environment = {
    policy,
    serverUrl: options.serverUrl,
    lookup,
    logger: log,
    maxFrameBytes: options.maxFrameBytes,
    onFrame: (frame: RenderFrame) => options.onFrame(frame),
    onFailed: (session: RenderSession, message: string) => end(session, "failed", message),
  };

  function get(sessionId: string): RenderSession {
    const session = sessions.get(sessionId);
    if (!session) throw new AppError("NOT_FOUND", `Session ${sessionId} not found`);
    return session;
  }

  async function create(input: CreateSessionInput): Promise<RenderSessionSummary> {
    if (stopped) throw new AppError("UNAVAILABLE", "The render farm is stopping");
    if (sessions.has(input.sessionId)) throw new AppError("CONFLICT", "Session already exists");
    if (sessions.size + creating >= options.maxSessions) {
      throw new AppError("UNAVAILABLE", `The render farm is full (${options.maxSessions} of ${options.maxSessions} sessions in use); try again later`, { full: true });
    }
    if (input.allowedHosts) allowedHosts = normaliseList(input.allowedHosts);
    creating += 1;
    let session: RenderSession | undefined;
    try {
      const prepared = pool.shift() ?? (await prepare(await browser.get().catch(() => {
        throw new AppError("UNAVAILABLE", "The render browser is not available");
      })));
      void refill();
      session = new RenderSession(input.sessionId, input.ownerId, prepared, input, environment);
      await session.start();
      sessions.set(session.id, session);
    } catch (error) {
      await session?.close();
      throw error;
    } finally {
      creating -= 1;
    }
    if (input.target) {
      try {
        await session.load(input.target);
      } catch (error) {
        // A session whose first page is refused is not kept: the caller sees why.
        sessions.delete(session.id);
        await session.close();
        throw error;
      }
    }
    log.info("render session created", { sessionId: session.id, width: input.width, height: input.height });
    return session.summary();
  }

  async function close(sessionId: string, reason: EndReason = "closed"): Promise<boolean> {
    const session = sessions.get(sessionId);
    if (!session) return false;
    end(session, reason);
    return true;
  }

  // A session nobody watches and nobody kept alive for the timeout is closed.
  const sweepEvery = Math.max(250, Math.min(5000, options.sessionTimeoutMs / 4));
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const session of [...sessions.values()]) {
      if (session.subscribers > 0) session.touch();
      else if (now - session.lastActivity > options.sessionTimeoutMs) end(session, "timeout", "No keepalive and no subscriber");
    }
  }, sweepEvery);
  sweeper.unref();

  if (options.warmPool > 0) void browser.get().catch(() => undefined);

  return {
    policy,
    create,
    close,
    get,
    has: (sessionId: string) => sessions.has(sessionId),
    size: () => sessions.size,
    poolSize: () => pool.length,
    browserPid: () => browser.pid(),
    /** Resolves once Chromium runs and the warm pool is full (benchmarks and tests). */
    async warm(): Promise<void> {
      await browser.get();
      await refill();
    },
    load: (sessionId: string, target: RenderTarget): Promise<RenderPageInfo> => get(sessionId).load(target),
    input: (sessionId: string, input: RenderInput) => get(sessionId).input(input),
    keepalive(sessionId: string): number {
      const session = get(sessionId);
      session.touch();
      return session.lastActivity;
    },
    setSettings: (sessionId: string, settings: { quality?: number; fps?: number }) => get(sessionId).setSettings(settings),
    async setSubscribers(sessionId: string, count: number): Promise<void> {
      await sessions.get(sessionId)?.setSubscribers(count);
    },
    summary: (sessionId: string) => get(sessionId).summary(),
    summaries: () => Promise.all([...sessions.values()].map((session) => session.summary())),
    setAllowedHosts(hosts: string[]): void {
      allowedHosts = normaliseList(hosts);
    },
    healthy: () => browser.healthy(),
    /** For tests and benchmarks: kill Chromium the way a crash would. */
    killBrowser: () => browser.kill(),
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(sweeper);
      for (const session of [...sessions.values()]) end(session, "closed", "The worker is stopping");
      pool.length = 0;
      await browser.stop();
      await proxy.close();
    },
  };
}

function normaliseList(hosts: string[]): string[] {
  return [...new Set(hosts.map(normaliseHostPattern).filter((host): host is string => Boolean(host)))];
}
