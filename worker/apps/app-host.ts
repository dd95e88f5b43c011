// An app host: a child process of the worker that runs several apps' isolates and nothing else.
// It holds no secrets and no connection but its IPC channel to the coordinator, which supervises
// it from outside (liveness pings; kill and restart on a hang, abort or crash), so whatever app
// code does to this process can take down only the apps in it. It exits with its parent.
import { AppError, AppInstance } from "./app-instance";
import type { HostCallPrompt, HostCommand, HostLogEntry, InstanceSpec, InstanceStatus, RpcCaller } from "./app-host-protocol";
import type { PlatformBackend } from "./host-api";
import { skipWebAssemblyInNewContexts } from "./isolate-flags";
import { KvStore } from "./kv-store";
import type { RuntimeLimits } from "./limits";
import { maxLogsPerMessage, splitLogBatches } from "./log-batches";
import { messageBytes } from "../../server/internal/message-bytes";

type Outgoing = Record<string, unknown> & { t: string };

const send = (message: Outgoing): void => {
  if (process.connected) process.send!(message);
};

skipWebAssemblyInNewContexts();
let limits: RuntimeLimits | undefined;
const instances = new Map<string, AppInstance>();
const lastCpuMs = new Map<string, number>();
const calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
let nextCallId = 1;

// Log lines of one turn of the event loop travel together, in as few messages as the
// coordinator accepts (it refuses, and kills, a host that sends it more lines in one).
let pendingLogs: [string, HostLogEntry][] = [];
function log(instance: string, entry: HostLogEntry): void {
  if (!pendingLogs.length) setImmediate(flushLogs);
  pendingLogs.push([instance, entry]);
}
function flushLogs(): void {
  const entries = pendingLogs;
  pendingLogs = [];
  for (const batch of splitLogBatches(entries, { maxBytes: Infinity, maxEntries: maxLogsPerMessage })) send({ t: "logs", entries: batch });
}

function call(instance: string, prompt: HostCallPrompt, data: Record<string, unknown>): Promise<unknown> {
  const id = nextCallId++;
  return new Promise((resolve, reject) => {
    calls.set(id, { resolve, reject });
    send({ t: "call", id, instance, prompt, data });
  });
}

function platformFor(instance: string): PlatformBackend {
  return {
    chatSend: (channel, text, system) => call(instance, "appChatSend", { channel, text, system }) as Promise<{ id: number }>,
    chatDelete: async (messageId) => ((await call(instance, "appChatDelete", { messageId })) as { deleted: boolean }).deleted,
    userGet: async (username) => ((await call(instance, "appUserGet", { username })) as { user: unknown }).user,
    streamStatus: (channel) => call(instance, "appStreamStatus", { channel }),
    pagePublish: async (pageId, published, title) => {
      await call(instance, "appPagePublish", { pageId, published, title });
    },
    rpcEmit: (to, event, payload) => send({ t: "emit", instance, to, event, payload }),
  };
}

function reply(id: number, value: unknown): void {
  send({ t: "reply", id, ok: true, value });
}

function fail(id: number, error: unknown, code = "INTERNAL"): void {
  const status = error instanceof AppError ? String(error.status) : (error as { code?: string }).code ?? code;
  send({ t: "reply", id, ok: false, code: status, message: (error instanceof Error ? error.message : String(error)).slice(0, 2000) });
}

async function start(id: number, name: string, spec: InstanceSpec): Promise<void> {
  if (!limits) throw new Error("The host was not initialised");
  const started = performance.now();
  const instance = new AppInstance({
    appId: spec.appId,
    target: spec.target,
    deploymentId: spec.deploymentId,
    manifest: spec.manifest,
    modules: spec.modules,
    sourceMaps: spec.sourceMaps,
    disableBytecodeCache: spec.disableBytecodeCache,
    limits,
    kv: new KvStore(limits.kvMaxBytes, limits.bytes, spec.kv),
    platform: platformFor(name),
    log: (entry) => log(name, entry),
    commitKv: async (writes) => {
      await call(name, "appKvCommit", writes);
    },
    onViolation: (reason, fatal) => send({ t: "violation", instance: name, reason, fatal }),
  });
  instances.set(name, instance);
  try {
    await instance.start(() => send({ t: "progress", id, step: "health-check" }));
    reply(id, { startMs: performance.now() - started });
  } catch (error) {
    instances.delete(name);
    instance.dispose();
    fail(id, error, "BAD_REQUEST");
  }
}

async function stop(id: number, name: string, graceMs: number): Promise<void> {
  const instance = instances.get(name);
  instances.delete(name);
  lastCpuMs.delete(name);
  if (instance) await instance.drainAndDispose(graceMs);
  reply(id, { stopped: Boolean(instance) });
}

async function request(id: number, name: string, data: Extract<HostCommand, { t: "request" }>["request"]): Promise<void> {
  const instance = instances.get(name);
  if (!instance) return fail(id, new AppError(503, "The app is not running"));
  try {
    reply(id, await instance.handle(data));
  } catch (error) {
    fail(id, error);
  }
}

async function rpcCall(id: number, name: string, method: string, caller: RpcCaller, pageId: string | undefined, args: unknown[]): Promise<void> {
  const instance = instances.get(name);
  if (!instance) return fail(id, Object.assign(new Error("The app is not running"), { code: "UNAVAILABLE" }));
  const permission = instance.rpcMethods.get(method);
  const refuse = (code: string, message: string) => fail(id, Object.assign(new Error(message), { code }));
  if (!permission) return refuse("NOT_FOUND", `The app has no rpc method ${method}`);
  if (permission !== "guest" && !caller) return refuse("UNAUTHORIZED", "Sign in to call this method");
  if (permission === "staff" && caller?.role !== "STAFF") return refuse("FORBIDDEN", "Only staff may call this method");
  const result = await instance.dispatch(`canopy.rpc.register:${method}`, { caller, pageId }, args);
  if (!result.ok) return refuse("BAD_REQUEST", result.message);
  // Checked again here: the isolate's own check runs in code the app could have tampered with.
  const limit = limits!.bytes.rpcPayloadBytes;
  if (messageBytes(result.value, limit) > limit) return refuse("PAYLOAD_TOO_LARGE", `An rpc result is at most ${limit} bytes as JSON`);
  reply(id, { result: result.value });
}

async function status(id: number): Promise<void> {
  const list: InstanceStatus[] = [];
  for (const [name, instance] of instances) {
    list.push({
      instance: name,
      state: instance.state,
      reason: instance.reason?.slice(0, 2000),
      memoryBytes: await instance.memoryBytes(),
      cpuMsLastMinute: Math.round(instance.cpuLastMinute.total()),
    });
  }
  reply(id, list);
}

/** The instances whose isolate used CPU since the last pong. */
function activeSinceLastPong(): string[] {
  const active: string[] = [];
  for (const [name, instance] of instances) {
    const cpuMs = instance.cpuMs();
    if (cpuMs > (lastCpuMs.get(name) ?? 0)) active.push(name);
    lastCpuMs.set(name, cpuMs);
  }
  return active;
}

function receive(command: HostCommand): void {
  switch (command.t) {
    case "init":
      limits = command.limits;
      return;
    case "ping":
      return send({ t: "pong", seq: command.seq, active: activeSinceLastPong() });
    case "start":
      void start(command.id, command.instance, command.spec);
      return;
    case "stop":
      void stop(command.id, command.instance, command.graceMs);
      return;
    case "restart":
      void instances.get(command.instance)?.restart();
      return;
    case "request":
      void request(command.id, command.instance, command.request);
      return;
    case "rpcCall":
      void rpcCall(command.id, command.instance, command.method, command.caller, command.pageId, command.args);
      return;
    case "pageConnection": {
      const instance = instances.get(command.instance);
      const kind = command.connected ? "connected" : "disconnected";
      if (instance?.subscriptions.has(`rpc.${kind}`)) void instance.dispatch(`canopy.rpc.on:${kind}`, { pageId: command.pageId, user: command.user });
      return;
    }
    case "event":
      for (const [name, instance] of instances) {
        if (command.only && !command.only.includes(name)) continue;
        // An app does not hear its own messages (no echo loops).
        if (instance.subscriptions.has(command.subscription) && instance.appId !== command.author) void instance.dispatch(command.listener, command.payload);
      }
      return;
    case "status":
      void status(command.id);
      return;
    case "callReply": {
      const pending = calls.get(command.id);
      calls.delete(command.id);
      if (command.ok) pending?.resolve(command.value);
      else pending?.reject(new Error(command.message));
      return;
    }
  }
}

process.on("message", (command: HostCommand) => receive(command));
// Without its coordinator a host has no purpose: never linger as an orphan.
process.on("disconnect", () => process.exit(0));
setInterval(() => {
  for (const instance of instances.values()) instance.sampleCpu();
}, 50);
send({ t: "ready" });
