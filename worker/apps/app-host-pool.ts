// The coordinator's pool of app hosts. It forks hosts (keeping spares ready so a deploy never
// waits for a process to boot), places app instances on them (live apps and previews never share
// a host), pings each host and kills one that stays silent, and reports every host death with the
// instances it held and the ones that were running code when it died (the suspects).
import { fork, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import type { AppTarget } from "../../server/apps/runtime-contract";
import type { Logger } from "../../server/logger";
import { hostMessageSchema, type HostCommand, type HostMessage } from "./app-host-protocol";
import type { RuntimeLimits } from "./limits";

export type AppHostPoolSettings = {
  /** Hosts the apps of one target are spread over before a host takes more than one app. */
  hostsPerTarget: number;
  maxAppsPerHost: number;
  spares: number;
  /** A host that answers no ping for this long is killed. */
  livenessMs: number;
};

export type HostDeath = { host: AppHost; instances: string[]; suspects: string[]; reason: string };

export class HostDiedError extends Error {}

type Pending = { resolve(value: unknown): void; reject(error: Error): void; instance?: string; runsAppCode: boolean; onProgress?: () => void };
type CommandWithoutId<C = HostCommand> = C extends { id: number } ? Omit<C, "id"> : never;

const stderrTailBytes = 4096;
// App hosts run below the platform's priority: when app code saturates the cores, the server,
// the worker's bus and ingest still get the CPU first (the per-call and per-minute budgets are
// what keep one app from starving another).
const appHostNiceness = 10;
const niceCommand = ["/usr/bin/nice", "/bin/nice"].find((candidate) => fs.existsSync(candidate));
let hostEntry: string | undefined;

/**
 * The host's entry, bundled once per worker (one file, no TypeScript loader: a host boots in about
 * a tenth of the time and memory). Written under a name from its content, so workers share it.
 */
function hostEntryFile(): string {
  if (hostEntry) return hostEntry;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, "../..");
  const built = buildSync({
    entryPoints: [path.join(here, "app-host.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["isolated-vm"],
    write: false,
    logLevel: "silent",
  }).outputFiles[0]!.contents;
  const directory = path.join(root, "node_modules", ".cache", "canopy");
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `app-host-${crypto.createHash("sha256").update(built).digest("hex").slice(0, 16)}.mjs`);
  if (!fs.existsSync(file)) {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, built);
    fs.renameSync(temporary, file);
  }
  return (hostEntry = file);
}

export class AppHost {
  target?: AppTarget;
  /** A quarantined instance runs alone, so a second death names it for certain. */
  solo = false;
  readonly instances = new Set<string>();
  dead = false;
  lastPongAt = 0;
  /** Instances that used CPU between the last two pongs. */
  lastActive: string[] = [];
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = "";
  private killReason?: string;
  /** A send failed: the host is gone or going, and its own exit usually says why better. */
  private channelFailed = false;

  constructor(
    readonly id: number,
    private readonly child: ChildProcess,
    onMessage: (host: AppHost, message: HostMessage) => void,
    onExit: (host: AppHost, reason: string) => void,
  ) {
    let markReady!: () => void;
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-stderrTailBytes);
    });
    child.on("message", (raw: unknown) => {
      const parsed = hostMessageSchema.safeParse(raw);
      if (!parsed.success) return this.kill("it sent a malformed message");
      const message = parsed.data;
      if (message.t === "ready") {
        this.lastPongAt = Date.now();
        markReady();
      } else if (message.t === "pong") {
        this.lastPongAt = Date.now();
        this.lastActive = message.active;
      } else if (message.t === "reply") {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!pending) return;
        if (message.ok) pending.resolve(message.value);
        else pending.reject(Object.assign(new Error(message.message ?? "failed"), { code: message.code }));
      } else if (message.t === "progress") {
        this.pending.get(message.id)?.onProgress?.();
      } else onMessage(this, message);
    });
    child.on("error", () => undefined);
    // "close", not "exit": only then has all of stderr (say, V8's out-of-memory report) been read.
    child.on("close", (code, signal) => {
      this.dead = true;
      const reason = describeExit({ code, signal, stderr: this.stderrTail, killReason: this.killReason, channelFailed: this.channelFailed });
      for (const pending of this.pending.values()) pending.reject(new HostDiedError(reason));
      this.pending.clear();
      markReady();
      onExit(this, reason);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Instances running app code for a command now (requests, rpc calls, starts). */
  busyInstances(): string[] {
    return [...new Set([...this.pending.values()].flatMap((pending) => (pending.runsAppCode && pending.instance ? [pending.instance] : [])))];
  }

  command<T>(message: CommandWithoutId, options: { onProgress?: () => void } = {}): Promise<T> {
    if (this.dead) return Promise.reject(new HostDiedError("The app host has stopped"));
    const id = this.nextId++;
    const instance = "instance" in message ? message.instance : undefined;
    const runsAppCode = message.t === "request" || message.t === "rpcCall" || message.t === "start";
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, instance, runsAppCode, onProgress: options.onProgress });
      this.send({ ...message, id } as HostCommand);
    });
  }

  send(message: HostCommand): void {
    if (!this.dead && this.child.connected)
      this.child.send(message, (error) => {
        if (!error || this.dead) return;
        this.channelFailed = true;
        this.child.kill("SIGKILL");
      });
  }

  kill(reason: string): void {
    if (this.dead) return;
    this.killReason ??= reason;
    this.child.kill("SIGKILL");
  }
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null; stderr: string; killReason?: string; channelFailed: boolean }): string {
  const { code, signal } = exit;
  // What the host said as it died comes first: a kill or a failed send may race with its abort.
  if (/out of memory|heap limit|allocation failed/i.test(exit.stderr)) return "The app host ran out of memory and aborted";
  if (exit.killReason) return exit.killReason;
  if (exit.channelFailed && signal === "SIGKILL") return "The app host's channel failed";
  if (signal === "SIGSEGV" || signal === "SIGBUS") return `The app host crashed (${signal})`;
  if (signal === "SIGABRT" || signal === "SIGTRAP") return `The app host aborted (${signal})`;
  if (signal) return `The app host was killed (${signal})`;
  return `The app host exited (code ${code})`;
}

export type AppHostPool = ReturnType<typeof createAppHostPool>;

export function createAppHostPool(options: {
  settings: AppHostPoolSettings;
  limits: RuntimeLimits;
  log: Logger;
  onMessage(host: AppHost, message: HostMessage): void;
  onDied(death: HostDeath): void;
}) {
  const { settings, log } = options;
  const hosts = new Set<AppHost>();
  const spares: AppHost[] = [];
  let nextHostId = 1;
  let stopping = false;
  let pingSeq = 0;

  function spawnHost(): AppHost {
    const child = fork(hostEntryFile(), [], {
      serialization: "advanced",
      // The worker's environment holds the bus secret: a host gets none of it.
      env: { NODE_ENV: process.env.NODE_ENV ?? "production" },
      // Through nice(1), so every thread of the host (isolates run on their own) starts lowered;
      // renicing the pid afterwards would reach only its main thread.
      ...(niceCommand ? { execPath: niceCommand, execArgv: ["-n", String(appHostNiceness), process.execPath, "--no-node-snapshot"] } : { execArgv: ["--no-node-snapshot"] }),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const host = new AppHost(nextHostId++, child, options.onMessage, onExit);
    host.send({ t: "init", limits: options.limits });
    hosts.add(host);
    return host;
  }

  function onExit(host: AppHost, reason: string): void {
    hosts.delete(host);
    const index = spares.indexOf(host);
    if (index >= 0) spares.splice(index, 1);
    if (stopping) return;
    const instances = [...host.instances];
    if (instances.length) {
      const suspects = [...new Set([...host.busyInstances(), ...host.lastActive])].filter((instance) => host.instances.has(instance));
      log.warn("app host died", { host: host.id, pid: host.pid, reason, instances: instances.length, suspects });
      options.onDied({ host, instances, suspects, reason });
    }
    topUpSpares();
  }

  function topUpSpares(): void {
    while (!stopping && spares.length < settings.spares) spares.push(spawnHost());
  }

  function takeSpare(target: AppTarget, solo: boolean): AppHost {
    const host = spares.shift() ?? spawnHost();
    host.target = target;
    host.solo = solo;
    topUpSpares();
    return host;
  }

  /** A host for a new instance of `target` (reserved for it at once), ready to take commands. */
  async function place(instance: string, target: AppTarget, solo = false): Promise<AppHost> {
    let host: AppHost | undefined;
    if (!solo) {
      const shared = [...hosts].filter((candidate) => !candidate.dead && candidate.target === target && !candidate.solo);
      const withRoom = shared.filter((candidate) => candidate.instances.size < settings.maxAppsPerHost);
      if (shared.length >= settings.hostsPerTarget && withRoom.length) {
        host = withRoom.reduce((least, candidate) => (candidate.instances.size < least.instances.size ? candidate : least));
      }
    }
    host ??= takeSpare(target, solo);
    host.instances.add(instance);
    await host.ready;
    if (host.dead) throw new HostDiedError("The app host stopped while starting");
    return host;
  }

  /** The instance has left its host; an emptied quarantine host is retired. */
  function release(host: AppHost, instance: string): void {
    host.instances.delete(instance);
    if (host.solo && !host.instances.size) host.kill("retired");
  }

  let lastTick = Date.now();
  const pinger = setInterval(() => {
    const now = Date.now();
    // If this process itself stalled, silence is not the hosts' fault: give them a fresh period.
    const stalled = now - lastTick > settings.livenessMs / 2;
    lastTick = now;
    for (const host of hosts) {
      if (host.dead || !host.lastPongAt) continue;
      if (stalled) host.lastPongAt = now;
      else if (now - host.lastPongAt > settings.livenessMs) {
        host.kill(`The app host answered no liveness ping for ${settings.livenessMs} ms (code kept it busy outside any timed call)`);
        continue;
      }
      host.send({ t: "ping", seq: ++pingSeq });
    }
  }, Math.max(20, Math.floor(settings.livenessMs / 5)));
  pinger.unref();

  topUpSpares();

  return {
    place,
    release,
    hosts: () => [...hosts],
    async stop(): Promise<void> {
      stopping = true;
      clearInterval(pinger);
      const exits = [...hosts].map((host) => host.exited);
      for (const host of hosts) host.kill("stopping");
      await Promise.all(exits);
    },
  };
}
