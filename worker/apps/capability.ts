// The worker's app runtime, as its coordinator: it runs no app code itself. It answers the
// server's app prompts (start with an atomic swap, stop, requests, rpc, events, status) by
// placing each app's instance on an app host of its pool, relays what the hosts ask of the
// platform, batches log lines to the server, counts violations and suspends apps that keep
// causing them, and restarts the apps of a host that died on other hosts.
import type { AppLogEntry, AppTarget } from "../../server/apps/runtime-contract";
import { appManifestSchema } from "../../server/apps/manifest";
import type { Env } from "../../server/env";
import { AppError as BusError, appErrorCodes, describeIssues, type AppErrorCode } from "../../server/errors";
import type { BusEndpoint } from "../../server/internal/bus-endpoint";
import { serverLabel, type AppPlatformEvent, type AppRunStatus } from "../../server/internal/protocol";
import type { Logger } from "../../server/logger";
import type { WorkerCapability } from "../capabilities";
import { createAppLeases } from "./app-leases";
import { createAppHostPool, HostDiedError, type AppHost, type HostDeath } from "./app-host-pool";
import { requestReplySchema, startReplySchema, statusReplySchema, type HostMessage, type InstanceSpec } from "./app-host-protocol";
import { limitsFromEnv, SlidingSum } from "./limits";
import { splitLogBatches } from "./log-batches";
import { transpileModules } from "./transpile";

type Key = `${string}:${AppTarget}`;
type LogInput = Omit<AppLogEntry, "seq" | "target">;

/** One app deployment's instance on a host. */
type Running = {
  key: Key;
  appId: string;
  target: AppTarget;
  instance: string;
  host: AppHost;
  spec: Omit<InstanceSpec, "kv">;
  /** Set while it restarts after its host died: why, for the requests that meet it. */
  restarting?: string;
  solo: boolean;
};

const eventKeys: Record<AppPlatformEvent["kind"], { subscription: string; listener: string }> = {
  "chat.message": { subscription: "chat.message", listener: "canopy.chat.on:message" },
  "chat.delete": { subscription: "chat.delete", listener: "canopy.chat.on:delete" },
  "streams.online": { subscription: "streams.online", listener: "canopy.streams.on:online" },
  "streams.offline": { subscription: "streams.offline", listener: "canopy.streams.on:offline" },
};

/** More suspects than this at a host's death: no quarantine (it would fork a host for each). */
const maxQuarantined = 8;
// About half a minute of tries before an app whose host died is given up: a host that dies again
// while the app starts (hosts killed in a row, a loaded machine) is not the app's fault.
const restartDelaysMs = [0, 500, 1000, 2000, 4000, 8000, 15_000];
const statusTimeoutMs = 1000;
/** Log lines of one app per flush, and per appLog message (the bus schema's limit). */
const maxLogBatch = 1000;

export type AppsCapability = WorkerCapability & {
  /** What the heartbeat reports: the apps served (running or suspended) with their fences. */
  served(): { appId: string; target: AppTarget; fence: number }[];
  /** The app-host processes (for tests and benchmarks: pids and what each holds). */
  hosts(): { pid?: number; target?: AppTarget; apps: number }[];
};

export function createAppsCapability(deps: { bus: BusEndpoint; workerId: string; env: Env; log: Logger }): AppsCapability {
  const { bus } = deps;
  const limits = limitsFromEnv(deps.env);
  const running = new Map<Key, Running>();
  /** Every instance a host holds, current or draining: host messages are accepted only for these. */
  const byInstance = new Map<string, Running>();
  const violations = new Map<Key, SlidingSum>();
  const suspended = new Map<Key, { deploymentId: string; reason: string }>();
  const logBuffers = new Map<Key, LogInput[]>();
  const leases = createAppLeases();
  let instanceSeq = 0;
  const keyOf = (appId: string, target: AppTarget): Key => `${appId}:${target}`;

  const pool = createAppHostPool({
    settings: { hostsPerTarget: deps.env.APP_HOSTS, maxAppsPerHost: deps.env.APP_HOST_MAX_APPS, spares: deps.env.APP_HOST_SPARES, livenessMs: deps.env.APP_HOST_LIVENESS_MS },
    limits,
    log: deps.log,
    onMessage: hostMessage,
    onDied: hostDied,
  });

  function bufferLog(key: Key, entry: LogInput): void {
    let buffer = logBuffers.get(key);
    if (!buffer) logBuffers.set(key, (buffer = []));
    if (buffer.length < maxLogBatch) buffer.push(entry);
  }

  const flushTimer = setInterval(() => {
    for (const [key, entries] of logBuffers) {
      if (!entries.length) continue;
      logBuffers.set(key, []);
      for (const batch of splitLogBatches(entries, { maxBytes: limits.bytes.logBatchBytes, maxEntries: maxLogBatch })) {
        try {
          bus.tell(serverLabel, "appLog", { ...splitKey(key), entries: batch });
        } catch (error) {
          deps.log.warn("app log batch refused", { key, error: errorMessage(error) });
        }
      }
    }
  }, 100);

  /** A lease not renewed means the app may already be placed elsewhere: stop serving it. */
  function stopExpired(): void {
    for (const key of leases.expiredKeys()) {
      const { appId, target } = splitKey(key);
      leases.forget(appId, target);
      const run = running.get(key);
      running.delete(key);
      suspended.delete(key);
      if (run) {
        deps.log.warn("app lease ran out; stopping it", { appId, target });
        void stopInstance(run, 0);
      }
    }
  }
  const leaseTimer = setInterval(stopExpired, 250);

  /** Refuses a command sent under an older placement than this worker has seen. */
  function admit(data: { appId: string; target: AppTarget; fence: number }): void {
    if (!leases.admit(data)) throw new BusError("CONFLICT", `Stale placement fence ${data.fence} for ${data.appId} (${data.target}); seen ${leases.fenceOf(data.appId, data.target)}`);
  }

  async function startInstance(spec: Running["spec"], kv: InstanceSpec["kv"], options: { solo: boolean; onHealthCheck?: () => void }): Promise<Running> {
    const key = keyOf(spec.appId, spec.target);
    const instance = `${key}#${++instanceSeq}`;
    let host: AppHost | undefined;
    try {
      host = await pool.place(instance, spec.target, options.solo);
      const run: Running = { key, appId: spec.appId, target: spec.target, instance, host, spec, solo: options.solo };
      byInstance.set(instance, run);
      startReplySchema.parse(await host.command({ t: "start", instance, spec: { ...spec, kv } }, { onProgress: options.onHealthCheck }));
      return run;
    } catch (error) {
      byInstance.delete(instance);
      if (host) pool.release(host, instance);
      throw new BusError("BAD_REQUEST", `The app did not start: ${errorMessage(error)}`);
    }
  }

  async function stopInstance(run: Running, graceMs: number): Promise<void> {
    await run.host.command({ t: "stop", instance: run.instance, graceMs }).catch(() => undefined);
    byInstance.delete(run.instance);
    pool.release(run.host, run.instance);
  }

  /** Counts a violation; true when it suspended the app. */
  function countViolation(run: Running, reason: string): boolean {
    let sum = violations.get(run.key);
    if (!sum) violations.set(run.key, (sum = new SlidingSum(limits.violationWindowMs)));
    sum.add(1);
    if (running.get(run.key) !== run || sum.count() < limits.suspendAfterViolations) return false;
    const why = `Suspended after ${sum.count()} limit violations in ten minutes; the last: ${reason}`;
    running.delete(run.key);
    suspended.set(run.key, { deploymentId: run.spec.deploymentId, reason: why });
    bufferLog(run.key, { at: Date.now(), level: "system", message: why });
    bus.tell(serverLabel, "appState", { appId: run.appId, target: run.target, deploymentId: run.spec.deploymentId, state: "suspended", reason: why });
    if (!run.host.dead) void stopInstance(run, 0);
    return true;
  }

  function hostMessage(host: AppHost, message: HostMessage): void {
    if (message.t === "logs") {
      for (const [instance, entry] of message.entries) {
        const run = byInstance.get(instance);
        if (run?.host === host) bufferLog(run.key, entry);
      }
      return;
    }
    if (!("instance" in message)) return;
    const run = byInstance.get(message.instance);
    if (run?.host !== host) return;
    if (message.t === "violation") {
      const suspendedNow = countViolation(run, message.reason);
      if (!suspendedNow && message.fatal && running.get(run.key) === run) {
        bufferLog(run.key, { at: Date.now(), level: "system", message: "Restarting the app in a fresh isolate" });
        host.send({ t: "restart", instance: run.instance });
      }
    } else if (message.t === "emit") {
      // The host bounded the payload already; this refuses what a misbehaving host sends anyway.
      try {
        bus.tell(serverLabel, "appRpcEmit", { appId: run.appId, target: run.target, to: message.to, event: message.event, payload: message.payload });
      } catch (error) {
        bufferLog(run.key, { at: Date.now(), level: "error", message: `canopy.rpc.emit: ${errorMessage(error)}` });
      }
    } else if (message.t === "call") {
      // The identity and its permissions are the coordinator's, never the host's.
      const data = { ...message.data, appId: run.appId, target: run.target, permissions: run.spec.manifest.permissions };
      (bus.ask as (target: string, prompt: string, data: unknown) => Promise<unknown>)(serverLabel, message.prompt, data).then(
        (value) => host.send({ t: "callReply", id: message.id, ok: true, value }),
        (error: unknown) => host.send({ t: "callReply", id: message.id, ok: false, message: errorMessage(error) }),
      );
    }
  }

  /**
   * A host died: its one suspect (the instance running code then) is charged a violation; several
   * suspects are each restarted alone, so a second death names the culprit; the others restart on
   * other hosts with the KV the server holds.
   */
  function hostDied(death: HostDeath): void {
    const runs = death.instances.flatMap((instance) => {
      const run = byInstance.get(instance);
      byInstance.delete(instance);
      return run && run.host === death.host ? [run] : [];
    });
    const culprit = death.suspects.length === 1 ? death.suspects[0] : undefined;
    const quarantined = new Set(death.suspects.length <= maxQuarantined ? death.suspects : []);
    for (const run of runs) {
      if (running.get(run.key) !== run) continue;
      if (run.instance === culprit) {
        bufferLog(run.key, { at: Date.now(), level: "violation", message: `${death.reason} while this app's code ran` });
        if (countViolation(run, death.reason)) continue;
      } else {
        bufferLog(run.key, { at: Date.now(), level: "system", message: `${death.reason}; restarting the app on another host` });
      }
      void restartElsewhere(run, death.reason, quarantined.has(run.instance) || run.solo);
    }
  }

  async function restartElsewhere(run: Running, reason: string, solo: boolean): Promise<void> {
    run.restarting = reason;
    for (const delay of restartDelaysMs) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      if (running.get(run.key) !== run) return;
      try {
        const { kv } = await bus.ask(serverLabel, "appKvSnapshot", { appId: run.appId, target: run.target });
        if (running.get(run.key) !== run) return;
        const next = await startInstance(run.spec, kv, { solo });
        if (running.get(run.key) !== run) return void stopInstance(next, 0);
        running.set(run.key, next);
        bufferLog(run.key, { at: Date.now(), level: "system", message: `Deployment ${run.spec.deploymentId} is serving again` });
        return;
      } catch (error) {
        deps.log.warn("app restart failed", { appId: run.appId, target: run.target, error: errorMessage(error) });
      }
    }
    running.delete(run.key);
    const why = `The app could not be restarted after its host stopped (${reason})`;
    bus.tell(serverLabel, "appState", { appId: run.appId, target: run.target, deploymentId: run.spec.deploymentId, state: "failed", reason: why });
  }

  bus.handle("appStart", async (data, envelope) => {
    // The lease counts from here, not from when the start finished: the node's ran from before it asked.
    const receivedAt = Date.now();
    admit(data);
    const key = keyOf(data.appId, data.target);
    if (!running.has(key) && running.size >= deps.env.WORKER_MAX_APPS) throw new BusError("UNAVAILABLE", `This worker runs its limit of ${deps.env.WORKER_MAX_APPS} apps`);
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
    const spec = { appId: data.appId, target: data.target, deploymentId: data.deploymentId, manifest: manifest.data, modules, sourceMaps, disableBytecodeCache: data.disableBytecodeCache };
    const run = await startInstance(spec, data.kv, { solo: false, onHealthCheck: () => progress("health-check") });
    // Another placement may have come in while this one compiled.
    if (leases.fenceOf(data.appId, data.target) !== data.fence) {
      void stopInstance(run, 0);
      throw new BusError("CONFLICT", `Stale placement fence ${data.fence} for ${data.appId} (${data.target})`);
    }
    leases.renew(data, data.leaseMs, receivedAt);
    const previous = running.get(key);
    running.set(key, run);
    suspended.delete(key);
    violations.delete(key);
    bufferLog(key, { at: Date.now(), level: "system", message: `Deployment ${data.deploymentId} is serving` });
    if (previous) void stopInstance(previous, 15_000);
    return { deploymentId: data.deploymentId, startMs: performance.now() - started };
  });

  bus.handle("appStop", async (data) => {
    admit(data);
    leases.retire(data);
    const key = keyOf(data.appId, data.target);
    const run = running.get(key);
    running.delete(key);
    suspended.delete(key);
    if (run) await stopInstance(run, 5000);
    return { stopped: Boolean(run) };
  });

  const fail = (status: number, code: string, message: string) => ({
    status,
    headers: { "content-type": "application/json" },
    body: new Uint8Array(Buffer.from(JSON.stringify({ error: { code, message } }))),
    execMs: 0,
  });

  bus.handle("appRequest", async (data) => {
    const key = keyOf(data.appId, data.target);
    admit(data);
    const run = running.get(key);
    if (!run || leases.expired(data.appId, data.target)) {
      const suspension = suspended.get(key);
      return suspension ? fail(503, "SUSPENDED", suspension.reason) : fail(503, "UNAVAILABLE", "The app is not running");
    }
    if (run.restarting) return fail(503, "UNAVAILABLE", `The app is restarting: ${run.restarting}`);
    try {
      const reply = requestReplySchema.safeParse(await run.host.command({ t: "request", instance: run.instance, request: data }));
      return reply.success ? reply.data : fail(502, "APP_ERROR", "The app host gave an invalid answer");
    } catch (error) {
      if (error instanceof HostDiedError) return fail(503, "UNAVAILABLE", `${error.message}; the app is restarting`);
      const status = Number((error as { code?: unknown }).code);
      if (status >= 400 && status <= 599) return fail(status, ({ 504: "TIMEOUT", 503: "UNAVAILABLE", 429: "THROTTLED" } as Record<number, string>)[status] ?? "APP_ERROR", errorMessage(error));
      deps.log.error("app request failed", { appId: data.appId, error: errorMessage(error) });
      return fail(502, "APP_ERROR", "The app host failed to answer");
    }
  });

  bus.handle("appRpcCall", async (data) => {
    admit(data);
    const run = running.get(keyOf(data.appId, data.target));
    if (!run || run.restarting) throw new BusError("UNAVAILABLE", "The app is not running");
    try {
      const value = (await run.host.command({ t: "rpcCall", instance: run.instance, method: data.method, caller: data.caller, pageId: data.pageId, args: data.args })) as { result?: unknown };
      return { result: value?.result };
    } catch (error) {
      const code = String((error as { code?: unknown }).code);
      throw new BusError(Object.hasOwn(appErrorCodes, code) ? (code as AppErrorCode) : "UNAVAILABLE", errorMessage(error));
    }
  });

  bus.handle("appPageConnection", (data) => {
    const run = running.get(keyOf(data.appId, data.target));
    run?.host.send({ t: "pageConnection", instance: run.instance, pageId: data.pageId, user: data.user, connected: data.connected });
  });

  bus.handle("appPlatformEvent", ({ event, audience }) => {
    const keys = eventKeys[event.kind];
    const payload = event.kind === "chat.message" ? event.message : event;
    const author = event.kind === "chat.message" && event.message.username.startsWith("app:") ? event.message.username.slice("app:".length) : undefined;
    // With an audience (chat), only the instances the server named hear it, whatever a host says it runs.
    const only = audience && audience.flatMap((member) => running.get(keyOf(member.appId, member.target)) ?? []);
    for (const host of pool.hosts()) {
      if (!host.instances.size) continue;
      if (!only) host.send({ t: "event", subscription: keys.subscription, listener: keys.listener, payload, author });
      else {
        const instances = only.filter((run) => run.host === host).map((run) => run.instance);
        if (instances.length) host.send({ t: "event", subscription: keys.subscription, listener: keys.listener, payload, author, only: instances });
      }
    }
  });

  bus.handle("appStatusList", async () => {
    const reports = new Map<string, { state: AppRunStatus["state"]; reason?: string; memoryBytes: number; cpuMsLastMinute: number }>();
    await Promise.all(
      pool.hosts().map(async (host) => {
        if (!host.instances.size) return;
        const answer = await Promise.race([host.command({ t: "status" }), new Promise((resolve) => setTimeout(resolve, statusTimeoutMs).unref())]).catch(() => undefined);
        const parsed = statusReplySchema.safeParse(answer);
        if (parsed.success) for (const report of parsed.data) reports.set(report.instance, report);
      }),
    );
    const list: AppRunStatus[] = [];
    for (const [key, run] of running) {
      const report = reports.get(run.instance);
      list.push({
        appId: run.appId,
        target: run.target,
        deploymentId: run.spec.deploymentId,
        state: run.restarting ? "starting" : (report?.state ?? "running"),
        reason: (run.restarting ?? report?.reason)?.slice(0, 1000),
        memoryBytes: report?.memoryBytes ?? 0,
        cpuMsLastMinute: report?.cpuMsLastMinute ?? 0,
        violations: violations.get(key)?.count() ?? 0,
      });
    }
    for (const [key, suspension] of suspended) {
      list.push({ ...splitKey(key), deploymentId: suspension.deploymentId, state: "suspended", reason: suspension.reason, memoryBytes: 0, cpuMsLastMinute: 0, violations: violations.get(key)?.count() ?? 0 });
    }
    return list;
  });

  bus.handle("appLeases", (data) => {
    for (const lease of data.leases) leases.renew(lease, data.ttlMs, data.heartbeatSentAt);
  });

  function served() {
    return [...new Set([...running.keys(), ...suspended.keys()])].flatMap((key) => {
      const { appId, target } = splitKey(key);
      const fence = leases.fenceOf(appId, target);
      return fence === undefined ? [] : [{ appId, target, fence }];
    });
  }

  return {
    name: "apps",
    health: () => "alive",
    served,
    hosts: () => pool.hosts().map((host) => ({ pid: host.pid, target: host.target, apps: host.instances.size })),
    load: () => running.size,
    limit: deps.env.WORKER_MAX_APPS,
    onConnect() {
      const list = [...running.values()].flatMap((run) => {
        const fence = leases.fenceOf(run.appId, run.target);
        return fence === undefined ? [] : [{ appId: run.appId, target: run.target, deploymentId: run.spec.deploymentId, fence }];
      });
      bus.tell(serverLabel, "appsHello", { workerId: deps.workerId, running: list });
    },
    async stop() {
      clearInterval(flushTimer);
      clearInterval(leaseTimer);
      running.clear();
      await pool.stop();
    },
  };
}

function splitKey(key: string): { appId: string; target: AppTarget } {
  const index = key.lastIndexOf(":");
  return { appId: key.slice(0, index), target: key.slice(index + 1) as AppTarget };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
