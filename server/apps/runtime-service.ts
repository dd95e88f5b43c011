// The server's side of the app runtime (services().apps): places apps on workers, activates
// deployments (the worker swaps atomically after a health check), forwards endpoint calls,
// answers the platform calls apps make over the bus (KV commits, chat, users, streams, pages,
// rpc events), keeps each app's log, persists suspensions, and re-deploys after a worker restart.
import { recordPagePublication, unpublishStalePages } from "./pages/page-state";
import { emitAppEvent, type PageNamespace } from "./pages/page-handlers";
import type { Server as SocketServer } from "socket.io";
import type { PrismaClient } from "../db/generated/client";
import type { Env } from "../env";
import { AppError, isAppError } from "../errors";
import type { BusEndpoint } from "../internal/bus-endpoint";
import type { AppPlatformEvent, AppRunStatus, PromptData, PromptReply } from "../internal/protocol";
import type { Logger } from "../logger";
import type { ServiceRegistry, WorkerHeartbeat } from "../status/registry";
import type { ChatBroadcaster } from "../chat/broadcaster";
import type { ChatLookups } from "../chat/chat-lookups";
import type { RateLimiter } from "../chat/rate-limiter";
import { deleteAppChatMessage, sendAppChatMessage, type AppChatDeps } from "./app-chat";
import { commitKv, previewKvPrefix } from "./commit-kv";
import { createAppLogStore } from "./app-log-store";
import { filesToBundle, validateBundle, type BundleIssue, type StoredBundle } from "./bundle";
import { readDraftFiles } from "./read-app-files";
import { createAppPlacements, type AppPlacement } from "./app-placements";
import { appManifestSchema, type AppManifest } from "./manifest";
import { readUserForApp } from "./app-users";
import type { AppLogEntry, AppRuntimeControl, AppRuntimeStatus, AppTarget, DeployResult, DeployStep, KnownDeployment } from "./runtime-contract";

type Key = `${string}:${AppTarget}`;
/** What decides whether a running app hears a chat event. */
export type AppAudienceMember = { appId: string; target: AppTarget; ownerUsername: string };
/** What the HTTP layer needs to route and authorize without asking a worker. */
export type ServedApp = { appId: string; target: AppTarget; deploymentId: string; manifest: AppManifest; files: Map<string, Buffer>; ownerId: string };


export type AppRuntime = AppRuntimeControl & {
  served(appId: string, target: AppTarget): Promise<ServedApp | null>;
  request(options: { appId: string; target: AppTarget } & Omit<PromptData<"appRequest">, "appId" | "target" | "fence">): Promise<PromptReply<"appRequest">>;
  callRpc(options: Omit<PromptData<"appRpcCall">, "fence">): Promise<unknown>;
  /** Tells the app's worker that a user opened or closed one of its pages (nothing when it is not running). */
  pageConnection(event: PromptData<"appPageConnection">): void;
  onLog(listener: (appId: string, target: AppTarget, entry: AppLogEntry) => void): () => void;
  /** Writes a platform note to the app's log (what the HTTP layer refused of its response). */
  appendLog(appId: string, target: AppTarget, entry: Pick<AppLogEntry, "level" | "message">): void;
  workerGone(workerId: string): void;
  /** Renews the leases of the apps a worker's heartbeat (received by this node) says it serves. */
  renewLeases(heartbeat: WorkerHeartbeat): Promise<void>;
  /** Re-places apps whose lease ran out (their worker died or lost them) on the least loaded live worker. */
  replaceExpired(): Promise<void>;
  /** Saves the log lines still pending (at shutdown). */
  stop(): Promise<void>;
  /**
   * Passes a platform event to the workers running apps with its permission; with `hears` (chat,
   * see chat-events-to-apps.ts) only to the apps it admits, named in the event's audience.
   */
  platformEvent(event: AppPlatformEvent, hears?: (app: AppAudienceMember) => boolean): void;
  list(): Promise<AppRuntimeStatus[]>;
};

export function createAppRuntime(deps: {
  prisma: PrismaClient;
  bus: BusEndpoint;
  registry: ServiceRegistry;
  io: SocketServer;
  env: Env;
  logger: Logger;
  chat: ChatBroadcaster;
  chatLookups: ChatLookups;
  rateLimiter: RateLimiter;
}): AppRuntime {
  const { prisma, bus } = deps;
  const chatDeps: AppChatDeps = {
    prisma,
    chat: deps.chat,
    lookups: deps.chatLookups,
    rateLimiter: deps.rateLimiter,
    limits: { maxLength: deps.env.CHAT_MAX_MESSAGE_LENGTH, moderationPerMinute: deps.env.APPS_CHAT_MODERATION_PER_MINUTE },
  };
  const log = deps.logger;
  const leaseMs = Math.round(deps.env.APPS_LEASE_SECONDS * 1000);
  /** How long past its lease a placement moves: the old worker has stopped serving by then (its lease counts from before the node renewed it; this covers an appStart in transit). */
  const leaseGraceMs = 1000;
  /** How long a start waits for a worker with the app runtime when none is reporting one. */
  const workerWaitMs = 5000;
  const placements = createAppPlacements({ prisma, leaseMs });
  /** Permissions of the apps this node started; unknown ones get every platform event. */
  const permissionsOf = new Map<Key, ReadonlySet<string>>();
  const servedCache = new Map<Key, ServedApp>();
  const progress = new Map<string, (step: DeployStep) => void>();
  const logStore = createAppLogStore({ prisma, retention: deps.env.APPS_LOG_RETENTION, logger: log });
  const logListeners = new Set<(appId: string, target: AppTarget, entry: AppLogEntry) => void>();
  const keyOf = (appId: string, target: AppTarget): Key => `${appId}:${target}`;
  const workerLabel = (workerId: string) => `worker:${workerId}`;

  function appendLog(appId: string, target: AppTarget, entry: Omit<AppLogEntry, "seq" | "target">): void {
    const full = logStore.append(appId, target, entry);
    for (const listener of logListeners) listener(appId, target, full);
  }

  const isLive = (workerId: string) => deps.registry.workersProviding("apps").includes(workerId);

  /**
   * The least loaded live apps worker, counting the placements in the database (shared by every
   * node); `load` reads them, only when there is a choice.
   */
  async function pickWorker(load: () => Promise<Map<string, number>> = () => placements.loadByWorker()): Promise<string> {
    // With one worker there is nothing to compare (it refuses apps beyond its limit itself).
    const live = await deps.registry.awaitProviders("apps", workerWaitMs);
    if (live.length === 1) return live[0]!;
    const counts = await load();
    const workerId = deps.registry.leastLoaded("apps", (id) => counts.get(id) ?? 0);
    if (!workerId) throw new AppError("UNAVAILABLE", "No worker runs the app runtime right now");
    return workerId;
  }

  /** Where requests for the app go: its placement, re-read when the cached one names a dead worker. */
  async function routeTo(appId: string, target: AppTarget) {
    const cached = await placements.find(appId, target);
    if (!cached || isLive(cached.workerId)) return cached;
    placements.forgetCached(appId, target);
    return placements.find(appId, target);
  }

  async function kvFor(appId: string, target: AppTarget) {
    const rows = await prisma.appKvEntry.findMany({ where: { appId } });
    return rows
      .filter((row) => (target === "preview" ? row.map.startsWith(previewKvPrefix) : !row.map.startsWith(previewKvPrefix)))
      .map((row) => ({ map: target === "preview" ? row.map.slice(previewKvPrefix.length) : row.map, key: row.key, value: Buffer.from(row.value).toString("base64") }));
  }

  /** Places (appId, target) for a deploy or a staff start: on its live worker, or on the least loaded one. */
  async function placeForStart(options: { appId: string; target: AppTarget; deploymentId: string }): Promise<{ placement: AppPlacement; replaces: boolean } | { reason: string }> {
    try {
      // Where it goes if it is not on a live worker already (acquire keeps it where it is then).
      const workerId = await pickWorker();
      const acquired = await placements.acquire({ ...options, workerId, liveWorkers: deps.registry.workersProviding("apps"), graceMs: leaseGraceMs });
      if (!acquired) {
        // Its worker is gone but may still be serving (cut off, not dead) until its lease runs out.
        placements.forgetCached(options.appId, options.target);
        const existing = await placements.find(options.appId, options.target);
        const waitMs = existing ? existing.leaseExpiresAt.getTime() + leaseGraceMs - Date.now() : 0;
        return { reason: `Worker ${existing?.workerId ?? "?"} is gone; the app moves to another worker when its lease runs out (${Math.max(1, Math.ceil(waitMs / 1000))} s)` };
      }
      const { placement, previousWorkerId } = acquired;
      if (previousWorkerId !== placement.workerId) log.info("app placed", { appId: options.appId, target: options.target, workerId: placement.workerId, previousWorkerId, fence: placement.fence });
      return { placement, replaces: previousWorkerId !== null };
    } catch (error) {
      return { reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Starts `bundle` on a worker for (appId, target); the worker swaps only after its health check.
   * `placement` is one the caller has already taken conditionally (a restart after a worker died), so
   * that a deploy or stop that happened meanwhile wins.
   */
  async function startOnWorker(options: { appId: string; target: AppTarget; deploymentId: string; bundle: StoredBundle; disableBytecodeCache: boolean; onProgress?: (step: DeployStep) => void; placement?: AppPlacement }): Promise<DeployResult & { startMs?: number }> {
    const key = keyOf(options.appId, options.target);
    // Read alongside the placement (independent); unused when the app cannot be placed.
    const kv = kvFor(options.appId, options.target);
    kv.catch(() => undefined);
    const placed = options.placement ? { placement: options.placement, replaces: false } : await placeForStart(options);
    if ("reason" in placed) return { ok: false, step: "starting", reason: placed.reason };
    const { placement } = placed;
    const progressKey = `${key}:${options.deploymentId}`;
    if (options.onProgress) progress.set(progressKey, options.onProgress);
    try {
      const reply = await bus.ask(
        workerLabel(placement.workerId),
        "appStart",
        {
          appId: options.appId,
          target: options.target,
          deploymentId: options.deploymentId,
          bundle: { metadata: options.bundle.metadata, modules: options.bundle.modules },
          disableBytecodeCache: options.disableBytecodeCache,
          kv: await kv,
          fence: placement.fence,
          leaseMs,
        },
        { timeoutMs: 30_000 },
      );
      const permissions = new Set(appManifestSchema.safeParse(options.bundle.metadata).data?.permissions ?? []);
      permissionsOf.set(key, permissions);
      placementList = undefined;
      servedCache.delete(key);
      return { ok: true, deploymentId: options.deploymentId, contentHash: "", startMs: reply.startMs };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      appendLog(options.appId, options.target, { at: Date.now(), level: "error", message: `Deployment ${options.deploymentId} failed to start: ${reason}` });
      // Nothing ran before: nothing to route to. (Otherwise the previous deployment keeps serving.)
      if (!placed.replaces) await placements.remove(options.appId, options.target, placement.fence);
      return { ok: false, step: "starting", reason };
    } finally {
      progress.delete(progressKey);
    }
  }

  /** The deployment to activate, read and validated (unless the caller has just stored it). */
  async function deploymentToActivate(options: { appId: string; deploymentId: string; known?: KnownDeployment }): Promise<KnownDeployment | { issues: BundleIssue[] }> {
    if (options.known?.id === options.deploymentId) return options.known;
    const deployment = await prisma.appDeployment.findUnique({ where: { id: options.deploymentId }, include: { app: { select: { ownerId: true } } } });
    if (!deployment || deployment.appId !== options.appId) throw new AppError("NOT_FOUND", `No deployment ${options.deploymentId} of app ${options.appId}`);
    const bundle = deployment.bundle as unknown as StoredBundle;
    const { issues } = validateBundle(bundle);
    if (issues.length) return { issues };
    return { ...deployment, bundle, ownerId: deployment.app.ownerId };
  }

  async function activateDeployment(options: { appId: string; deploymentId: string; actorId: string | null; onProgress?: (step: DeployStep) => void; known?: KnownDeployment }): Promise<DeployResult> {
    options.onProgress?.("validating");
    const deployment = await deploymentToActivate(options);
    if ("issues" in deployment) return { ok: false, step: "validating", reason: "The bundle is not valid", issues: deployment.issues };
    const { bundle } = deployment;
    const startedAt = new Date();
    const result = await startOnWorker({ appId: options.appId, target: "live", deploymentId: deployment.id, bundle, disableBytecodeCache: deployment.disableBytecodeCache, onProgress: options.onProgress });
    if (!result.ok) return result;
    // Routing moves to the new manifest as soon as the worker has swapped; no database read on the first request.
    servedCache.set(keyOf(options.appId, "live"), await servedFrom(options.appId, "live", deployment.id, bundle, deployment.ownerId));
    // Independent writes: the app's active deployment, and pages the old version published.
    await Promise.all([
      prisma.app.update({ where: { id: options.appId }, data: { activeDeploymentId: deployment.id, runState: "RUNNING", suspendedReason: null, suspendedAt: null } }),
      unpublishStalePages({ prisma, appId: options.appId, since: startedAt }),
    ]);
    options.onProgress?.("switched");
    appendLog(options.appId, "live", { at: Date.now(), level: "system", message: `Deployment #${deployment.number} (${deployment.contentHash.slice(0, 12)}) is live${options.actorId ? "" : " (automatic)"}` });
    return { ok: true, deploymentId: deployment.id, contentHash: deployment.contentHash };
  }

  /**
   * Starts the app's active deployment. With `placement` (taken conditionally after a worker died),
   * the app is read after the placement was taken, and a stop or a newer deploy that came first wins.
   */
  async function startActive(appId: string, placement?: AppPlacement): Promise<void> {
    const app = await prisma.app.findUnique({ where: { id: appId }, include: { activeDeployment: true } });
    if (placement && (!app?.activeDeployment || app.runState !== "RUNNING")) {
      await placements.remove(appId, "live", placement.fence);
      return;
    }
    if (!app?.activeDeployment) return;
    const result = await startOnWorker({ appId, target: "live", deploymentId: app.activeDeployment.id, bundle: app.activeDeployment.bundle as unknown as StoredBundle, disableBytecodeCache: app.activeDeployment.disableBytecodeCache, placement });
    if (!result.ok) log.warn("app did not start", { appId, reason: result.reason });
  }

  /** Starts again what a restarted worker lost and running apps that nothing places; only where no deploy, stop or other node got there first. */
  async function restoreLost(lost: AppPlacement[]): Promise<void> {
    // The load is read once (when something needs placing) and counted here as apps are placed:
    // a worker that restarted with many apps would otherwise cost a groupBy per app.
    let load: Map<string, number> | undefined;
    const placeOn = () => pickWorker(async () => (load ??= await placements.loadByWorker()));
    const count = (workerId: string, by: number) => load?.set(workerId, (load.get(workerId) ?? 0) + by);
    for (const placement of lost) {
      if (placement.target !== "live") {
        await placements.remove(placement.appId, placement.target, placement.fence);
        count(placement.workerId, -1);
        continue;
      }
      const moved = await placements.move({ placement, workerId: await placeOn() });
      if (!moved) continue;
      count(placement.workerId, -1);
      count(moved.workerId, 1);
      await startActive(placement.appId, moved);
    }
    const apps = await prisma.app.findMany({ where: { runState: "RUNNING", activeDeploymentId: { not: null }, placements: { none: { target: "live" } } }, select: { id: true, activeDeploymentId: true } });
    for (const app of apps) {
      const claimed = await placements.claim({ appId: app.id, target: "live", workerId: await placeOn(), deploymentId: app.activeDeploymentId! });
      if (!claimed) continue;
      count(claimed.workerId, 1);
      await startActive(app.id, claimed);
    }
  }

  async function status(options: { appId: string; target: AppTarget }): Promise<AppRuntimeStatus> {
    const placement = await routeTo(options.appId, options.target);
    const app = await prisma.app.findUnique({ where: { id: options.appId }, select: { runState: true, suspendedReason: true, activeDeploymentId: true } });
    if (!app) throw new AppError("NOT_FOUND", `No app ${options.appId}`);
    let worker: AppRunStatus | undefined;
    if (placement) {
      const list = await bus.ask(workerLabel(placement.workerId), "appStatusList", undefined).catch(() => []);
      worker = list.find((entry) => entry.appId === options.appId && entry.target === options.target);
    }
    const suspended = options.target === "live" && app.runState === "SUSPENDED";
    return {
      appId: options.appId,
      target: options.target,
      state: suspended ? "suspended" : (worker?.state ?? (options.target === "live" && app.runState === "RUNNING" && app.activeDeploymentId ? "starting" : "stopped")),
      deploymentId: worker?.deploymentId ?? (options.target === "live" ? (app.activeDeploymentId ?? undefined) : undefined),
      workerId: placement?.workerId,
      reason: suspended ? (app.suspendedReason ?? undefined) : worker?.reason,
      memoryBytes: worker?.memoryBytes,
      cpuMsLastMinute: worker?.cpuMsLastMinute,
      violations: worker?.violations ?? 0,
    };
  }

  async function stopOnWorker(appId: string, target: AppTarget): Promise<void> {
    const key = keyOf(appId, target);
    placements.forgetCached(appId, target);
    const placement = await placements.find(appId, target);
    await placements.remove(appId, target);
    servedCache.delete(key);
    permissionsOf.delete(key);
    if (placement) await bus.ask(workerLabel(placement.workerId), "appStop", { appId, target, fence: placement.fence }).catch(() => undefined);
  }

  /** All placements, re-read at most once a second: platform events (every chat message) need them. */
  let placementList: { at: number; list: Promise<Awaited<ReturnType<typeof placements.all>>> } | undefined;
  function recentPlacements() {
    if (!placementList || Date.now() - placementList.at > 1000) placementList = { at: Date.now(), list: placements.all().catch(() => []) };
    return placementList.list;
  }

  function platformEvent(event: AppPlatformEvent, hears?: (app: AppAudienceMember) => boolean): void {
    const permission = event.kind.startsWith("chat.") ? "chat" : "streams";
    void recentPlacements().then((list) => {
      const audiences = new Map<string, { appId: string; target: AppTarget }[]>();
      for (const placement of list) {
        if (!(permissionsOf.get(keyOf(placement.appId, placement.target))?.has(permission) ?? true)) continue;
        if (hears && !hears(placement)) continue;
        let audience = audiences.get(placement.workerId);
        if (!audience) audiences.set(placement.workerId, (audience = []));
        audience.push({ appId: placement.appId, target: placement.target });
      }
      for (const [workerId, audience] of audiences) bus.tell(workerLabel(workerId), "appPlatformEvent", { event, audience: hears ? audience : undefined });
    });
  }

  // ——— bus handlers ———

  bus.handle("appsHello", async (data) => {
    // What the worker still runs under a placement that has moved on must stop (its fence admits the stop).
    for (const running of data.running) {
      placements.forgetCached(running.appId, running.target);
      const placement = await placements.find(running.appId, running.target);
      if (placement?.workerId !== data.workerId || placement.fence !== running.fence) {
        void bus.ask(workerLabel(data.workerId), "appStop", { appId: running.appId, target: running.target, fence: running.fence }).catch(() => undefined);
      }
    }
    // What it should run and does not (it restarted): taken now, restarted once the heartbeat that
    // announces its apps capability has arrived.
    const runs = new Set(data.running.map((running) => `${running.appId}:${running.target}:${running.fence}`));
    const lost = (await placements.ofWorker(data.workerId)).filter((placement) => !runs.has(`${placement.appId}:${placement.target}:${placement.fence}`));
    setTimeout(() => {
      restoreLost(lost).catch((error: unknown) => log.warn("apps not restored", { workerId: data.workerId, error: String(error) }));
    }, 1500);
  });
  bus.handle("appStartProgress", (data) => progress.get(`${keyOf(data.appId, data.target)}:${data.deploymentId}`)?.(data.step));
  bus.handle("appState", async (data, envelope) => {
    appendLog(data.appId, data.target, { at: Date.now(), level: "system", message: `State ${data.state}: ${data.reason}` });
    // A suspended app keeps its placement: its worker answers 503 with the reason.
    if (data.state !== "suspended") {
      placements.forgetCached(data.appId, data.target);
      const placement = await placements.find(data.appId, data.target);
      if (placement && envelope.ack === workerLabel(placement.workerId)) await placements.remove(data.appId, data.target, placement.fence);
    }
    if (data.target === "live" && data.state === "suspended") {
      await prisma.app.update({ where: { id: data.appId }, data: { runState: "SUSPENDED", suspendedReason: data.reason, suspendedAt: new Date() } }).catch(() => undefined);
    }
  });
  bus.handle("appLog", (data) => {
    for (const entry of data.entries) appendLog(data.appId, data.target, entry);
  });
  bus.handle("appKvCommit", async (data) => {
    await commitKv({ prisma, appId: data.appId, target: data.target, writeSet: data });
    return { ok: true as const };
  });
  bus.handle("appKvSnapshot", async (data) => ({ kv: await kvFor(data.appId, data.target) }));
  bus.handle("appChatSend", (data) => sendAppChatMessage({ deps: chatDeps, sender: data, channel: data.channel, text: data.text, system: data.system }));
  bus.handle("appChatDelete", (data) => deleteAppChatMessage({ deps: chatDeps, sender: data, messageId: data.messageId }));
  bus.handle("appUserGet", async (data) => ({ user: await readUserForApp({ prisma, username: data.username, permissions: data.permissions }) }));
  bus.handle("appStreamStatus", async (data) => {
    const channel = await prisma.channel.findUnique({ where: { name: data.channel } });
    if (!channel) return { channel: data.channel, status: "UNKNOWN" as const };
    return { channel: channel.name, status: channel.status, title: channel.title || undefined, startedAt: channel.liveStartedAt?.getTime() };
  });
  bus.handle("appPagePublish", async (data) => {
    // App pages: the live page's state is kept in the database (placements, /a/<app>/<page>).
    if (data.target === "live") await recordPagePublication({ prisma, appId: data.appId, pageId: data.pageId, published: data.published, title: data.title });
    return { ok: true as const };
  });
  bus.handle("appRpcEmit", (data) => emitAppEvent(deps.io.of("/apps") as unknown as PageNamespace, data));

  return {
    activateDeployment,
    async startPreview(options) {
      const files = options.bundle ? [] : await readDraftFiles({ prisma, appId: options.appId });
      const bundle = options.bundle ?? filesToBundle(files);
      const manifestText = files.find((file) => file.path === "app.json")?.content.toString("utf8");
      const { issues } = validateBundle(bundle, manifestText);
      if (issues.length) return { ok: false, step: "validating", reason: options.bundle ? "The bundle is not valid" : "The draft is not valid", issues };
      const deploymentId = `preview-${Date.now().toString(36)}`;
      const result = await startOnWorker({ appId: options.appId, target: "preview", deploymentId, bundle, disableBytecodeCache: true });
      if (result.ok) servedCache.set(keyOf(options.appId, "preview"), await servedFrom(options.appId, "preview", deploymentId, bundle));
      return result;
    },
    stopPreview: (options) => stopOnWorker(options.appId, "preview"),
    async startApp(options) {
      const app = await prisma.app.findUnique({ where: { id: options.appId } });
      if (!app) throw new AppError("NOT_FOUND", `No app ${options.appId}`);
      if (!app.activeDeploymentId) throw new AppError("CONFLICT", "The app has no deployment to start");
      await prisma.app.update({ where: { id: options.appId }, data: { runState: "RUNNING", suspendedReason: null, suspendedAt: null } });
      appendLog(options.appId, "live", { at: Date.now(), level: "system", message: "Started by staff" });
      await startActive(options.appId);
      return status({ appId: options.appId, target: "live" });
    },
    async stopApp(options) {
      const app = await prisma.app.findUnique({ where: { id: options.appId } });
      if (!app) throw new AppError("NOT_FOUND", `No app ${options.appId}`);
      // Stopped first in the database, so nothing that restarts running apps picks it up meanwhile.
      await prisma.app.update({ where: { id: options.appId }, data: { runState: "STOPPED" } });
      await stopOnWorker(options.appId, "live");
      appendLog(options.appId, "live", { at: Date.now(), level: "system", message: `Stopped by staff${options.reason ? `: ${options.reason}` : ""}` });
      return status({ appId: options.appId, target: "live" });
    },
    async restartApp(options) {
      await stopOnWorker(options.appId, "live");
      return this.startApp(options);
    },
    status,
    logs: (options) => logStore.read(options),
    async removeApp(options) {
      await stopOnWorker(options.appId, "live");
      await stopOnWorker(options.appId, "preview");
      logStore.forget(options.appId);
    },
    async served(appId, target) {
      const key = keyOf(appId, target);
      const cached = servedCache.get(key);
      if (cached) return cached;
      if (target === "preview") return null;
      const app = await prisma.app.findUnique({ where: { id: appId }, include: { activeDeployment: true } });
      if (!app?.activeDeployment) return null;
      const served = await servedFrom(appId, "live", app.activeDeployment.id, app.activeDeployment.bundle as unknown as StoredBundle, app.ownerId);
      // A deployment activated meanwhile has put the newer manifest here; keep it.
      if (!servedCache.has(key)) servedCache.set(key, served);
      return servedCache.get(key)!;
    },
    async request(options) {
      const ask = async () => {
        const placement = await routeTo(options.appId, options.target);
        if (!placement || !isLive(placement.workerId)) throw new AppError("UNAVAILABLE", "The app is not running");
        return bus.ask(workerLabel(placement.workerId), "appRequest", { ...options, fence: placement.fence }, { timeoutMs: deps.env.APPS_REQUEST_TIMEOUT_MS + 2000 });
      };
      // A stale fence means this node's cached placement was replaced (a deploy, a move): read it again.
      return ask().catch((error: unknown) => {
        if (!(isAppError(error) && error.code === "CONFLICT")) throw error;
        placements.forgetCached(options.appId, options.target);
        return ask();
      });
    },
    pageConnection(event) {
      void routeTo(event.appId, event.target).then((placement) => {
        if (placement) bus.tell(workerLabel(placement.workerId), "appPageConnection", event);
      });
    },
    async callRpc(options) {
      const placement = await routeTo(options.appId, options.target);
      if (!placement || !isLive(placement.workerId)) throw new AppError("UNAVAILABLE", "The app is not running");
      return (await bus.ask(workerLabel(placement.workerId), "appRpcCall", { ...options, fence: placement.fence }, { timeoutMs: deps.env.APPS_REQUEST_TIMEOUT_MS + 2000 })).result;
    },
    onLog(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    appendLog: (appId, target, entry) => appendLog(appId, target, { at: Date.now(), ...entry }),
    platformEvent,
    async stop() {
      logStore.stop();
      await logStore.flush().catch((error: unknown) => log.warn("app log not saved", { error: String(error) }));
    },
    workerGone(workerId) {
      // Requests stop going there at once (routeTo re-reads); the apps move when their leases run out.
      placementList = undefined;
      log.info("apps worker gone; its apps move when their leases run out", { workerId });
    },
    async renewLeases(heartbeat) {
      if (!heartbeat.apps?.length || heartbeat.sentAt === undefined) return;
      const leases = await placements.renew({ workerId: heartbeat.workerId, apps: heartbeat.apps });
      bus.tell(workerLabel(heartbeat.workerId), "appLeases", { ttlMs: leaseMs, heartbeatSentAt: heartbeat.sentAt, leases });
    },
    async replaceExpired() {
      for (const placement of await placements.expired(leaseGraceMs)) {
        const app = placement.target === "live" ? await prisma.app.findUnique({ where: { id: placement.appId }, select: { runState: true, activeDeploymentId: true } }) : null;
        if (!app || app.runState !== "RUNNING" || !app.activeDeploymentId) {
          // Previews are not restarted elsewhere (their draft may have changed); stopped apps need no worker.
          await placements.remove(placement.appId, placement.target, placement.fence);
          continue;
        }
        const workerId = await pickWorker().catch(() => undefined);
        if (!workerId) continue;
        // The conditional fence update picks one node to restart it.
        const moved = await placements.move({ placement, workerId });
        if (!moved) continue;
        appendLog(placement.appId, "live", { at: Date.now(), level: "system", message: `Worker ${placement.workerId} stopped renewing its lease; moving to worker ${workerId}` });
        await startActive(placement.appId, moved);
      }
    },
    async list() {
      const apps = await prisma.app.findMany({ select: { id: true }, orderBy: { id: "asc" } });
      return Promise.all(apps.map((app) => status({ appId: app.id, target: "live" })));
    },
  };

  async function servedFrom(appId: string, target: AppTarget, deploymentId: string, bundle: StoredBundle, ownerId?: string): Promise<ServedApp> {
    const owner = ownerId ?? (await prisma.app.findUnique({ where: { id: appId }, select: { ownerId: true } }))?.ownerId ?? "";
    const { manifest } = validateBundle(bundle);
    return {
      appId,
      target,
      deploymentId,
      ownerId: owner,
      manifest: manifest ?? appManifestSchema.parse({}),
      files: new Map(bundle.files.map((file) => [file.path, Buffer.from(file.base64, "base64")])),
    };
  }
}

