// The worker's app runtime: hosts one AppInstance per running app and target, answers the
// server's app prompts (start with an atomic swap, stop, requests, rpc, events, status), batches
// log lines to the server, watches CPU, and suspends apps that keep violating their limits.
import type { AppLogEntry, AppTarget } from "../../server/apps/runtime-contract";
import { appManifestSchema } from "../../server/apps/manifest";
import type { Env } from "../../server/env";
import { AppError as BusError, describeIssues } from "../../server/errors";
import type { BusEndpoint } from "../../server/internal/bus-endpoint";
import { serverLabel, type AppPlatformEvent, type AppRunStatus } from "../../server/internal/protocol";
import type { Logger } from "../../server/logger";
import type { WorkerCapability } from "../capabilities";
import { AppError, AppInstance } from "./app-instance";
import type { PlatformBackend } from "./host-api";
import { createAppLeases } from "./app-leases";
import { skipWebAssemblyInNewContexts } from "./isolate-flags";
import { KvStore } from "./kv-store";
import { limitsFromEnv, SlidingSum } from "./limits";
import { transpileModules } from "./transpile";

type Key = `${string}:${AppTarget}`;
type LogInput = Omit<AppLogEntry, "seq" | "target">;

const eventKeys: Record<AppPlatformEvent["kind"], { subscription: string; listener: string }> = {
  "chat.message": { subscription: "chat.message", listener: "canopy.chat.on:message" },
  "chat.delete": { subscription: "chat.delete", listener: "canopy.chat.on:delete" },
  "streams.online": { subscription: "streams.online", listener: "canopy.streams.on:online" },
  "streams.offline": { subscription: "streams.offline", listener: "canopy.streams.on:offline" },
};

export type AppsCapability = WorkerCapability & {
  instances(): Map<Key, AppInstance>;
  /** What the heartbeat reports: the apps served (running or suspended) with their fences. */
  served(): { appId: string; target: AppTarget; fence: number }[];
};

export function createAppsCapability(deps: { bus: BusEndpoint; workerId: string; env: Env; log: Logger }): AppsCapability {
  const { bus } = deps;
  skipWebAssemblyInNewContexts();
  const limits = limitsFromEnv(deps.env);
  const instances = new Map<Key, AppInstance>();
  const violations = new Map<Key, SlidingSum>();
  const suspended = new Map<Key, { deploymentId: string; reason: string }>();
  const logBuffers = new Map<Key, LogInput[]>();
  const leases = createAppLeases();
  const keyOf = (appId: string, target: AppTarget): Key => `${appId}:${target}`;
  const split = (key: Key) => {
    const index = key.lastIndexOf(":");
    return { appId: key.slice(0, index), target: key.slice(index + 1) as AppTarget };
  };

  function bufferLog(key: Key, entry: LogInput): void {
    let buffer = logBuffers.get(key);
    if (!buffer) logBuffers.set(key, (buffer = []));
    if (buffer.length < 1000) buffer.push(entry);
  }

  const flushTimer = setInterval(() => {
    for (const [key, entries] of logBuffers) {
      if (!entries.length) continue;
      logBuffers.set(key, []);
      bus.tell(serverLabel, "appLog", { ...split(key), entries });
    }
  }, 100);

  const watchdog = setInterval(() => {
    for (const instance of instances.values()) instance.sampleCpu();
  }, 50);

  /** A lease not renewed means the app may already be placed elsewhere: stop serving it. */
  function stopExpired(): void {
    for (const key of leases.expiredKeys()) {
      const { appId, target } = split(key);
      leases.forget(appId, target);
      const instance = instances.get(key);
      instances.delete(key);
      suspended.delete(key);
      if (instance) {
        deps.log.warn("app lease ran out; stopping it", { appId, target });
        instance.dispose();
      }
    }
  }
  const leaseTimer = setInterval(stopExpired, 250);

  /** Refuses a command sent under an older placement than this worker has seen. */
  function admit(data: { appId: string; target: AppTarget; fence: number }): void {
    if (!leases.admit(data)) throw new BusError("CONFLICT", `Stale placement fence ${data.fence} for ${data.appId} (${data.target}); seen ${leases.fenceOf(data.appId, data.target)}`);
  }

  function platformFor(appId: string, target: AppTarget): PlatformBackend {
    return {
      chatSend: (channel, text, system) => bus.ask(serverLabel, "appChatSend", { appId, target, channel, text, system }),
      chatDelete: async (messageId) => (await bus.ask(serverLabel, "appChatDelete", { appId, target, messageId })).deleted,
      userGet: async (username) => (await bus.ask(serverLabel, "appUserGet", { appId, username })).user,
      streamStatus: (channel) => bus.ask(serverLabel, "appStreamStatus", { appId, channel }),
      pagePublish: async (pageId, published, title) => {
        await bus.ask(serverLabel, "appPagePublish", { appId, target, pageId, published, title });
      },
      rpcEmit: (to, event, payload) => bus.tell(serverLabel, "appRpcEmit", { appId, target, to, event, payload }),
    };
  }

  function onViolation(key: Key, instance: AppInstance, reason: string, fatal: boolean): void {
    let sum = violations.get(key);
    if (!sum) violations.set(key, (sum = new SlidingSum(limits.violationWindowMs)));
    sum.add(1);
    if (instances.get(key) !== instance) return;
    const { appId, target } = split(key);
    if (sum.count() >= limits.suspendAfterViolations) {
      const why = `Suspended after ${sum.count()} limit violations in ten minutes; the last: ${reason}`;
      instances.delete(key);
      instance.dispose();
      suspended.set(key, { deploymentId: instance.deploymentId, reason: why });
      bufferLog(key, { at: Date.now(), level: "system", message: why });
      bus.tell(serverLabel, "appState", { appId, target, deploymentId: instance.deploymentId, state: "suspended", reason: why });
      return;
    }
    if (fatal) {
      bufferLog(key, { at: Date.now(), level: "system", message: "Restarting the app in a fresh isolate" });
      void instance.restart();
    }
  }

  bus.handle("appStart", async (data, envelope) => {
    // The lease counts from here, not from when the start finished: the node's ran from before it asked.
    const receivedAt = Date.now();
    admit(data);
    const key = keyOf(data.appId, data.target);
    if (!instances.has(key) && instances.size >= deps.env.WORKER_MAX_APPS) throw new BusError("UNAVAILABLE", `This worker runs its limit of ${deps.env.WORKER_MAX_APPS} apps`);
    const started = performance.now();
    const progress = (step: "compiling" | "starting" | "health-check") =>
      // To the node that asked (in a cluster it need not be the one this worker is connected to): it shows the deploy's progress.
      bus.tell(envelope.ack, "appStartProgress", { appId: data.appId, target: data.target, deploymentId: data.deploymentId, step });
    progress("compiling");
    const manifest = appManifestSchema.safeParse(data.bundle.metadata);
    if (!manifest.success) throw new BusError("BAD_REQUEST", `app.json: ${describeIssues(manifest.error.issues)}`);
    const { modules, issues, sourceMaps } = transpileModules(data.bundle.modules);
    if (issues.length) throw new BusError("BAD_REQUEST", issues.map((issue) => `${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.message}`).join("; "));
    progress("starting");
    const instance: AppInstance = new AppInstance({
      appId: data.appId,
      target: data.target,
      deploymentId: data.deploymentId,
      manifest: manifest.data,
      modules,
      sourceMaps,
      disableBytecodeCache: data.disableBytecodeCache,
      limits,
      kv: new KvStore(limits.kvMaxBytes, limits.maxResponseBytes, data.kv),
      platform: platformFor(data.appId, data.target),
      log: (entry) => bufferLog(key, entry),
      commitKv: async (writes) => {
        await bus.ask(serverLabel, "appKvCommit", { appId: data.appId, target: data.target, ...writes });
      },
      onViolation: (reason, fatal) => onViolation(key, instance, reason, fatal),
    });
    try {
      await instance.start(progress);
    } catch (error) {
      instance.dispose();
      throw new BusError("BAD_REQUEST", `The app did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Another placement may have come in while this one compiled.
    if (leases.fenceOf(data.appId, data.target) !== data.fence) {
      instance.dispose();
      throw new BusError("CONFLICT", `Stale placement fence ${data.fence} for ${data.appId} (${data.target})`);
    }
    leases.renew(data, data.leaseMs, receivedAt);
    const previous = instances.get(key);
    instances.set(key, instance);
    suspended.delete(key);
    violations.delete(key);
    bufferLog(key, { at: Date.now(), level: "system", message: `Deployment ${data.deploymentId} is serving` });
    if (previous) void previous.drainAndDispose();
    return { deploymentId: data.deploymentId, startMs: performance.now() - started };
  });

  bus.handle("appStop", async (data) => {
    admit(data);
    leases.retire(data);
    const key = keyOf(data.appId, data.target);
    const instance = instances.get(key);
    instances.delete(key);
    suspended.delete(key);
    if (instance) await instance.drainAndDispose(5000);
    return { stopped: Boolean(instance) };
  });

  bus.handle("appRequest", async (data) => {
    const key = keyOf(data.appId, data.target);
    const instance = instances.get(key);
    const fail = (status: number, code: string, message: string) => ({
      status,
      headers: { "content-type": "application/json" },
      body: new Uint8Array(Buffer.from(JSON.stringify({ error: { code, message } }))),
      execMs: 0,
    });
    admit(data);
    if (!instance || leases.expired(data.appId, data.target)) {
      const suspension = suspended.get(key);
      return suspension ? fail(503, "SUSPENDED", suspension.reason) : fail(503, "UNAVAILABLE", "The app is not running");
    }
    try {
      return await instance.handle(data);
    } catch (error) {
      if (error instanceof AppError) return fail(error.status, error.status === 504 ? "TIMEOUT" : error.status === 503 ? "UNAVAILABLE" : "APP_ERROR", error.message);
      deps.log.error("app request failed", { appId: data.appId, error: String(error) });
      return fail(500, "INTERNAL", "Internal error");
    }
  });

  bus.handle("appRpcCall", async (data) => {
    admit(data);
    const instance = instances.get(keyOf(data.appId, data.target));
    if (!instance) throw new BusError("UNAVAILABLE", "The app is not running");
    const permission = instance.rpcMethods.get(data.method);
    if (!permission) throw new BusError("NOT_FOUND", `The app has no rpc method ${data.method}`);
    if (permission !== "guest" && !data.caller) throw new BusError("UNAUTHORIZED", "Sign in to call this method");
    if (permission === "staff" && data.caller?.role !== "STAFF") throw new BusError("FORBIDDEN", "Only staff may call this method");
    const result = await instance.dispatch(`canopy.rpc.register:${data.method}`, { caller: data.caller, pageId: data.pageId }, data.args);
    if (!result.ok) throw new BusError("BAD_REQUEST", result.message);
    return { result: result.value };
  });

  bus.handle("appPageConnection", (data) => {
    const instance = instances.get(keyOf(data.appId, data.target));
    const kind = data.connected ? "connected" : "disconnected";
    if (instance?.subscriptions.has(`rpc.${kind}`)) void instance.dispatch(`canopy.rpc.on:${kind}`, { pageId: data.pageId, user: data.user });
  });

  bus.handle("appPlatformEvent", (event) => {
    const keys = eventKeys[event.kind];
    const payload = event.kind === "chat.message" ? event.message : event;
    // An app does not hear its own messages (no echo loops).
    const author = event.kind === "chat.message" && event.message.username.startsWith("app:") ? event.message.username.slice("app:".length) : undefined;
    for (const [key, instance] of instances) {
      if (instance.subscriptions.has(keys.subscription) && split(key).appId !== author) void instance.dispatch(keys.listener, payload);
    }
  });

  bus.handle("appStatusList", () => {
    const list: AppRunStatus[] = [];
    for (const [key, instance] of instances) {
      list.push({
        ...split(key),
        deploymentId: instance.deploymentId,
        state: instance.state === "stopped" ? "stopped" : instance.state,
        reason: instance.reason,
        memoryBytes: instance.memoryBytes(),
        cpuMsLastMinute: Math.round(instance.cpuLastMinute.total()),
        violations: violations.get(key)?.count() ?? 0,
      });
    }
    for (const [key, suspension] of suspended) {
      list.push({ ...split(key), deploymentId: suspension.deploymentId, state: "suspended", reason: suspension.reason, memoryBytes: 0, cpuMsLastMinute: 0, violations: violations.get(key)?.count() ?? 0 });
    }
    return list;
  });

  bus.handle("appLeases", (data) => {
    for (const lease of data.leases) leases.renew(lease, data.ttlMs, data.heartbeatSentAt);
  });

  function served() {
    return [...new Set([...instances.keys(), ...suspended.keys()])].flatMap((key) => {
      const { appId, target } = split(key);
      const fence = leases.fenceOf(appId, target);
      return fence === undefined ? [] : [{ appId, target, fence }];
    });
  }

  return {
    name: "apps",
    health: () => "alive",
    instances: () => instances,
    served,
    load: () => instances.size,
    limit: deps.env.WORKER_MAX_APPS,
    onConnect() {
      const running = [...instances].flatMap(([key, instance]) => {
        const fence = leases.fenceOf(split(key).appId, split(key).target);
        return fence === undefined ? [] : [{ ...split(key), deploymentId: instance.deploymentId, fence }];
      });
      bus.tell(serverLabel, "appsHello", { workerId: deps.workerId, running });
    },
    async stop() {
      clearInterval(flushTimer);
      clearInterval(watchdog);
      clearInterval(leaseTimer);
      for (const instance of instances.values()) instance.dispose();
      instances.clear();
    },
  };
}
