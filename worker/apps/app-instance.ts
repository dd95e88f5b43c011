// One running app: one isolate with its limits. Endpoints run CCF-style (a fresh context per
// request unless interpreter_reuse, one KV transaction per request); the optional main module
// lives in its own long-lived context with timers, events and rpc methods. Runaway code is
// stopped by the per-entry timeout and, for code that escapes it, by a cpuTime watchdog.
import path from "node:path";
import ivm from "isolated-vm";
import { normalizeEndpoints, type AppManifest, type EndpointDefinition, type Permission } from "../../server/apps/manifest";
import type { AppLogEntry, AppTarget } from "../../server/apps/runtime-contract";
import { bootstrapConfig, bootstrapSourceFor } from "./bootstrap";
import { checkHostInput, hostOperations, type HostCallContext, type PlatformBackend } from "./host-api";
import { KvCommitError, KvQuotaError, type KvStore, type KvTransaction, type KvWriteSet } from "./kv-store";
import { utf8Bytes } from "../../server/internal/message-bytes";
import { SlidingSum, TokenBucket, type ByteBudget, type RuntimeLimits } from "./limits";
import { truncateUtf8 } from "./log-batches";
import { originalPosition, type PositionMap } from "./source-map";

type LogInput = Omit<AppLogEntry, "seq" | "target">;

export type AppInstanceDeps = {
  appId: string;
  target: AppTarget;
  deploymentId: string;
  manifest: AppManifest;
  /** Module name (relative to src/) → JavaScript (TypeScript already transpiled). */
  modules: Map<string, string>;
  /** Position maps of transpiled modules, for stack lines in the developer's source. */
  sourceMaps?: Map<string, PositionMap>;
  disableBytecodeCache: boolean;
  limits: RuntimeLimits;
  kv: KvStore;
  platform: PlatformBackend;
  log(entry: LogInput): void;
  /** Resolves once the server has committed the write set; the worker's copy keeps it only then. */
  commitKv(writes: KvWriteSet): Promise<void>;
  /** A limit was hit; `fatal` when the isolate had to be disposed. */
  onViolation(reason: string, fatal: boolean): void;
};

export type AppRequest = {
  method: string;
  endpoint: string;
  path: string;
  url: string;
  params: Record<string, string>;
  query: string;
  headers: Record<string, string>;
  body: Uint8Array;
  caller: { userId: string; username: string; displayName: string; role: string } | null;
};

export type AppResponse = { status: number; headers: Record<string, string>; body: Uint8Array; execMs: number };

type ContextHandle = {
  context: ivm.Context;
  isMain: boolean;
  /** The bootstrap's entry function: ("invoke" | "settle" | "fire" | "dispatch", ...args). */
  entry: ivm.Reference;
  modules: Map<string, ivm.Module>;
  timers: Map<number, NodeJS.Timeout>;
  txn?: KvTransaction;
  metrics: boolean;
  released: boolean;
  /** Serialises requests on a reused context (each has its own transaction). */
  queue: Promise<unknown>;
};

const watchdogIntervalMs = 50;
const spareContexts = 2;

export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class AppInstance {
  state: "starting" | "running" | "stopped" | "failed" = "starting";
  reason?: string;
  private isolate!: ivm.Isolate;
  private bootstrap!: ivm.Script;
  private readonly codeCache = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
  private readonly bootstrapSource: string;
  private readonly permissions: ReadonlySet<Permission>;
  private readonly endpoints;
  private main?: ContextHandle;
  private readonly reused = new Map<string, Promise<ContextHandle>>();
  private readonly spares: ContextHandle[] = [];
  private sparesPending = 0;
  /** Set by the first fresh-context request: only then does the app keep spares (idle apps keep none). */
  private keepsSpares = false;
  private readonly handles = new Set<ContextHandle>();
  private nextId = 1;
  private timerCount = 0;
  private inFlight = 0;
  private drained?: () => void;
  readonly subscriptions = new Set<string>();
  readonly rpcMethods = new Map<string, "guest" | "user" | "staff">();
  private readonly logBucket: TokenBucket;
  private droppedLogs = 0;
  private readonly chatSends = new SlidingSum(60_000);
  readonly cpuLastMinute = new SlidingSum(60_000);
  private lastCpuMs = 0;
  /** Time spent in host functions the app called (the isolate's cpuTime leaves it out). */
  private hostMs = 0;
  private lastHostMs = 0;
  private busyMs = 0;
  private budgetFlaggedAt = 0;
  private fatalReason?: string;
  /** Why each replaced isolate ended, for entries that fail after a restart has already replaced it. */
  private readonly endedWith = new WeakMap<ivm.Isolate, string>();
  private untrustedDateTime = false;
  private readonly waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  private activeEntries = 0;
  private enteredSinceSample = false;

  constructor(private readonly deps: AppInstanceDeps) {
    this.bootstrapSource = bootstrapSourceFor(bootstrapConfig({ ccfDateStub: deps.manifest.ccf_untrusted_date_time === true, bytes: deps.limits.bytes }));
    this.permissions = new Set(deps.manifest.permissions);
    this.endpoints = normalizeEndpoints(deps.manifest.endpoints);
    this.logBucket = new TokenBucket(deps.limits.logLinesPerSecond, deps.limits.logLinesPerSecond * 5);
  }

  get deploymentId(): string {
    return this.deps.deploymentId;
  }

  get appId(): string {
    return this.deps.appId;
  }

  /** Asynchronous: the synchronous statistics wait for the isolate's lock, which app code can hold. */
  async memoryBytes(): Promise<number> {
    if (!this.isolate || this.isolate.isDisposed) return 0;
    const heap = await this.isolate.getHeapStatistics().catch(() => undefined);
    return heap ? heap.used_heap_size + heap.externally_allocated_size : 0;
  }

  /** CPU the current isolate has used plus the host's time in its calls, in ms (counter reads; they do not wait for the isolate). */
  cpuMs(): number {
    return !this.isolate || this.isolate.isDisposed ? 0 : Number(this.isolate.cpuTime / 1_000_000n) + this.hostMs;
  }

  /** Creates the isolate and starts main, then health-checks every endpoint's module and function. */
  async start(onStep?: (step: "health-check") => void): Promise<void> {
    this.isolate = new ivm.Isolate({ memoryLimit: this.deps.limits.memoryMb });
    this.lastCpuMs = 0;
    this.hostMs = 0;
    this.lastHostMs = 0;
    this.busyMs = 0;
    this.fatalReason = undefined;
    this.bootstrap = await this.isolate.compileScript(this.bootstrapSource, { filename: "canopy:bootstrap" });
    if (this.deps.manifest.main) {
      this.main = await this.createContext(true);
      await this.loadModule(this.main, this.deps.manifest.main);
    }
    onStep?.("health-check");
    const check = await this.createContext(false);
    try {
      for (const [route, methods] of Object.entries(this.endpoints)) {
        for (const [method, endpoint] of Object.entries(methods)) {
          if (!endpoint) continue;
          const namespace = await this.loadModule(check, endpoint.js_module);
          const type = await check.context
            .evalClosure(`return typeof $0[$1]`, [namespace.derefInto(), endpoint.js_function], { timeout: this.deps.limits.cpuMsPerEntry })
            .finally(() => namespace.release());
          if (type !== "function") throw new Error(`${method.toUpperCase()} ${route}: ${endpoint.js_module} does not export a function ${endpoint.js_function}`);
        }
      }
    } finally {
      this.release(check);
    }
    this.state = "running";
  }

  /** After a fatal violation: a fresh isolate for the same deployment. */
  async restart(): Promise<void> {
    this.teardown();
    this.state = "starting";
    try {
      await this.start();
    } catch (error) {
      this.state = "failed";
      this.reason = errorMessage(error);
      this.writeLog({ at: Date.now(), level: "error", message: `Restart failed: ${this.reason}` });
    }
  }

  /** Stops taking requests; disposes once those in flight have finished (or after a grace period). */
  async drainAndDispose(graceMs = 15_000): Promise<void> {
    this.state = "stopped";
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        setTimeout(resolve, graceMs).unref();
      });
    }
    this.teardown();
  }

  dispose(): void {
    this.state = "stopped";
    this.teardown();
  }

  private teardown(): void {
    for (const handle of [...this.handles]) this.release(handle);
    this.main = undefined;
    this.reused.clear();
    this.spares.length = 0;
    this.subscriptions.clear();
    this.rpcMethods.clear();
    this.timerCount = 0;
    this.rejectWaiting(this.fatalReason ?? "The app's isolate was stopped");
    if (this.isolate && this.fatalReason) this.endedWith.set(this.isolate, this.fatalReason);
    if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
  }

  private rejectWaiting(reason: string): void {
    for (const entry of this.waiting.values()) entry.reject(new Error(`Isolate is disposed: ${reason}`));
    this.waiting.clear();
  }

  /** Every call into the isolate goes through here, so the watchdog knows when none is running. */
  private async enter<T>(call: () => Promise<T>): Promise<T> {
    this.activeEntries++;
    this.enteredSinceSample = true;
    try {
      return await call();
    } finally {
      this.activeEntries--;
    }
  }

  /** Starts an invoke/dispatch entry and waits for its "entry.done" report. */
  private async runEntry(start: (id: number) => Promise<unknown>): Promise<unknown> {
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    done.catch(() => undefined);
    try {
      await this.enter(() => start(id));
      return await withDeadline(done, this.deps.limits.requestTimeoutMs);
    } finally {
      this.waiting.delete(id);
    }
  }

  // ——— contexts and modules ———

  // On a request's path the runtime's own steps (context, bootstrap, compile, link) run
  // synchronously: each is short and bounded, and a synchronous call avoids a thread hop per step.
  // Spare contexts for fresh-context requests are made asynchronously, off that path, so the
  // worker's thread is not blocked while the isolate is busy. App code always runs async.
  private async createContext(isMain: boolean, background = false): Promise<ContextHandle> {
    const context = background ? await this.isolate.createContext() : this.isolate.createContextSync();
    const handle = { context, isMain, modules: new Map(), timers: new Map(), metrics: true, released: false, queue: Promise.resolve() } as unknown as ContextHandle;
    this.handles.add(handle);
    const hostContext = this.hostContext(handle);
    const callback = new ivm.Callback((op: unknown, args: unknown) => this.hostCall(handle, hostContext, op, args));
    const runOptions = { reference: true, timeout: this.deps.limits.cpuMsPerEntry } as const;
    if (background) {
      await context.global.set("__canopyHost", callback);
      handle.entry = (await this.enter(() => this.bootstrap.run(context, runOptions))) as ivm.Reference;
    } else {
      context.global.setSync("__canopyHost", callback);
      this.enteredSinceSample = true;
      handle.entry = this.bootstrap.runSync(context, runOptions) as ivm.Reference;
    }
    return handle;
  }

  /**
   * A fresh context for one request: a spare when one is ready, else made here. Spares are made
   * in the background only while no request is in flight (see handle()): under load making them
   * on another thread costs more CPU than making them on demand, and nothing waits for them.
   */
  private freshContext(): Promise<ContextHandle> {
    this.keepsSpares = true;
    const spare = this.spares.pop();
    return spare ? Promise.resolve(spare) : this.createContext(false);
  }

  /** Tops the spares up to `spareContexts`, made asynchronously off the worker's thread. */
  private fillSpares(): void {
    while (this.state === "running" && this.spares.length + this.sparesPending < spareContexts) {
      this.sparesPending++;
      const isolate = this.isolate;
      this.createContext(false, true)
        .then(
          (handle) => {
            if (handle.released) return;
            if (isolate !== this.isolate || this.state !== "running") this.release(handle);
            else this.spares.push(handle);
          },
          () => undefined,
        )
        .finally(() => this.sparesPending--);
    }
  }

  private release(handle: ContextHandle): void {
    if (handle.released) return;
    handle.released = true;
    this.handles.delete(handle);
    for (const timer of handle.timers.values()) clearTimeout(timer);
    this.timerCount -= handle.timers.size;
    handle.timers.clear();
    for (const module of handle.modules.values()) module.release();
    handle.entry?.release();
    handle.context.release();
  }

  private compile(name: string): ivm.Module {
    const code = this.deps.modules.get(name);
    if (code === undefined) throw new Error(`No module ${name}`);
    const filename = `file:///src/${name}`;
    if (this.deps.disableBytecodeCache) return this.isolate.compileModuleSync(code, { filename });
    const cachedData = this.codeCache.get(name);
    if (cachedData) {
      const module = this.isolate.compileModuleSync(code, { filename, cachedData });
      if (!(module as { cachedDataRejected?: boolean }).cachedDataRejected) return module;
      module.release();
    }
    const module = this.isolate.compileModuleSync(code, { filename, produceCachedData: true });
    const produced = (module as { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
    if (produced) this.codeCache.set(name, produced);
    return module;
  }

  private resolve(from: string, specifier: string): string {
    if (!specifier.startsWith("./") && !specifier.startsWith("../")) throw new Error(`${from}: only relative imports are supported ("${specifier}")`);
    const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    if (joined.startsWith("../") || joined === "..") throw new Error(`${from}: "${specifier}" points outside src/`);
    const base = joined.replace(/\.(?:js|mjs)$/, "");
    for (const candidate of [joined, `${joined}.js`, `${joined}.ts`, `${joined}.mjs`, `${base}.ts`, `${base}.mts`, `${joined}/index.js`, `${joined}/index.ts`]) {
      if (this.deps.modules.has(candidate)) return candidate;
    }
    throw new Error(`${from}: cannot find module "${specifier}"`);
  }

  private moduleIn(handle: ContextHandle, name: string): ivm.Module {
    const existing = handle.modules.get(name);
    if (existing) return existing;
    const module = this.compile(name);
    handle.modules.set(name, module);
    return module;
  }

  /** The module's namespace in this context (compiled, linked and evaluated once per context). */
  private async loadModule(handle: ContextHandle, name: string): Promise<ivm.Reference> {
    const module = this.moduleIn(handle, name);
    const names = new Map<ivm.Module, string>([...handle.modules].map(([moduleName, value]) => [value, moduleName]));
    module.instantiateSync(handle.context, (specifier, referrer) => {
      const from = names.get(referrer) ?? name;
      const target = this.resolve(from, specifier);
      const dependency = this.moduleIn(handle, target);
      names.set(dependency, target);
      return dependency;
    });
    await this.enter(() => module.evaluate({ timeout: this.deps.limits.cpuMsPerEntry }));
    return module.namespace;
  }

  // ——— host calls ———

  private hostContext(handle: ContextHandle): HostCallContext {
    return {
      permissions: this.permissions,
      isMain: handle.isMain,
      pageIds: new Set(Object.keys(this.deps.manifest.pages)),
      platform: this.deps.platform,
      entryDone: (id, result) => this.waiting.get(id)?.resolve(result),
      kv: (fn) => {
        try {
          if (handle.txn) return fn(handle.txn);
          // Outside a request each operation commits alone; the copy shows it once the server has it.
          const txn = this.deps.kv.begin(false);
          const result = fn(txn);
          if (!txn.isEmpty()) void txn.commit(this.deps.commitKv).catch((error: unknown) => this.writeLog({ at: Date.now(), level: "error", message: errorMessage(error) }));
          return result;
        } catch (error) {
          if (error instanceof KvQuotaError) this.violation(error.message, false);
          throw error;
        }
      },
      log: (level, message, totalBytes) => this.consoleLine(level, message, totalBytes),
      setTimer: (ms, repeat) => this.setTimer(handle, ms, repeat),
      clearTimer: (id) => {
        const timer = handle.timers.get(id);
        if (!timer) return;
        clearTimeout(timer);
        handle.timers.delete(id);
        this.timerCount--;
      },
      chargeChatSend: () => {
        if (this.chatSends.count() >= this.deps.limits.chatSendsPerMinute) {
          this.violation(`Chat limit: at most ${this.deps.limits.chatSendsPerMinute} messages per minute`, false);
          throw new RangeError(`Chat limit: at most ${this.deps.limits.chatSendsPerMinute} messages per minute`);
        }
        this.chatSends.add(1);
      },
      subscribe: (event) => this.subscriptions.add(event),
      registerRpc: (method, permission) => this.rpcMethods.set(method, permission),
      unregisterRpc: (method) => this.rpcMethods.delete(method),
      setMetricsLogging: (enabled) => {
        const previous = handle.metrics;
        handle.metrics = enabled;
        return previous;
      },
      setUntrustedDateTime: (enabled) => {
        const previous = this.untrustedDateTime;
        this.untrustedDateTime = enabled;
        return previous;
      },
    };
  }

  private hostCall(handle: ContextHandle, context: HostCallContext, op: unknown, args: unknown): unknown {
    const operation = typeof op === "string" && Object.hasOwn(hostOperations, op) ? hostOperations[op] : undefined;
    if (!operation) throw new Error(`Unknown platform operation ${String(op)}`);
    if (operation.permission && !this.permissions.has(operation.permission)) {
      throw new Error(`canopy.${operation.permission} needs "${operation.permission}" in app.json's permissions`);
    }
    const list = Array.isArray(args) ? args : [];
    const checked = () => {
      checkHostInput(op as string, operation, list, this.deps.limits.bytes);
      return operation.kind === "sync" ? operation.run(context, list) : undefined;
    };
    const value = this.timedHost(checked);
    if (operation.kind === "sync") return value;
    const id = this.nextId++;
    Promise.resolve()
      .then(() => this.timedHost(() => operation.run(context, list)))
      .then(
        (value) => this.settle(handle, id, true, value ?? null),
        (error: unknown) => this.settle(handle, id, false, errorMessage(error)),
      );
    return id;
  }

  /** Runs a host function's work, charging its time to the app. */
  private timedHost<T>(work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.hostMs += performance.now() - started;
    }
  }

  private settle(handle: ContextHandle, id: number, ok: boolean, value: unknown): void {
    if (handle.released || this.isolate.isDisposed) return;
    const isolate = this.isolate;
    this.enter(() => handle.entry.apply(undefined, ["settle", id, ok, value], { arguments: { copy: true }, timeout: this.deps.limits.cpuMsPerEntry })).catch((error: unknown) => {
      if (isolate === this.isolate) this.entryFailed(error, "code resumed after an await");
    });
  }

  private setTimer(handle: ContextHandle, ms: number, repeat: boolean): number {
    if (this.timerCount >= this.deps.limits.maxTimers) {
      this.violation(`Timer limit: at most ${this.deps.limits.maxTimers} pending timers`, false);
      throw new RangeError(`Timer limit: at most ${this.deps.limits.maxTimers} pending timers`);
    }
    const id = this.nextId++;
    const delay = Math.max(repeat ? 10 : 0, Math.min(ms, 2_147_483_647));
    const fire = () => {
      if (handle.released || this.isolate.isDisposed) return;
      if (this.throttled && repeat) return;
      if (!repeat) {
        handle.timers.delete(id);
        this.timerCount--;
      }
      const isolate = this.isolate;
      this.enter(() => handle.entry.apply(undefined, ["fire", id], { timeout: this.deps.limits.cpuMsPerEntry })).catch((error: unknown) => {
        if (isolate === this.isolate) this.entryFailed(error, "a timer");
      });
    };
    handle.timers.set(id, repeat ? setInterval(fire, delay) : setTimeout(fire, delay));
    this.timerCount++;
    return id;
  }

  // ——— entries ———

  /** Serves one endpoint call. Throws AppError(status) for runtime-side failures. */
  async handle(request: AppRequest): Promise<AppResponse> {
    const started = performance.now();
    const endpoint = this.endpoints[request.endpoint]?.[request.method.toLowerCase() as "get"];
    if (!endpoint) throw new AppError(404, `No endpoint ${request.method} ${request.endpoint}`);
    if (this.state !== "running") throw new AppError(503, this.reason ?? "The app is not running");
    if (this.throttled) throw new AppError(429, `CPU budget: the app used more than ${this.deps.limits.cpuBudgetMsPerMinute} ms of CPU in the last minute; try again shortly`);
    this.inFlight++;
    let status = 500;
    let metrics = true;
    try {
      const response = await this.run(endpoint, request, (handle) => (metrics = handle.metrics));
      status = response.status;
      return { ...response, execMs: performance.now() - started };
    } catch (error) {
      status = error instanceof AppError ? error.status : 500;
      throw error;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) {
        this.drained?.();
        if (this.keepsSpares) this.fillSpares();
      }
      const execMs = Math.round(performance.now() - started);
      if (metrics) {
        this.writeLog({
          at: Date.now(),
          level: "metric",
          message: `JS execution complete: Method=${request.method.toUpperCase()}, Path=${request.path}, Status=${status}, ExecMilliseconds=${execMs}`,
          metrics: { method: request.method.toUpperCase(), path: request.path.slice(0, 2000), status, execMs },
        });
      }
    }
  }

  private async run(endpoint: EndpointDefinition, request: AppRequest, onHandle: (handle: ContextHandle) => void): Promise<Omit<AppResponse, "execMs">> {
    const reuseKey = endpoint.interpreter_reuse?.key;
    const isolate = this.isolate;
    const handle = reuseKey ? await this.reusedContext(reuseKey) : await this.freshContext().catch((error: unknown) => this.failEntry(error, "starting a context", isolate));
    const work = async () => {
      const txn = this.deps.kv.begin(endpoint.mode !== "readwrite");
      handle.txn = txn;
      try {
        const namespace = await this.loadModule(handle, endpoint.js_module).catch((error: unknown) => this.failEntry(error, "loading the module", isolate));
        const input = new ivm.ExternalCopy({
          method: request.method.toUpperCase(),
          path: request.path,
          route: request.endpoint,
          url: request.url,
          params: request.params,
          query: request.query,
          headers: request.headers,
          caller: request.caller,
          body: request.body.buffer.slice(request.body.byteOffset, request.body.byteOffset + request.body.byteLength),
        }).copyInto({ release: true });
        const outcome = await this.runEntry((id) =>
          handle.entry.apply(undefined, ["invoke", namespace.derefInto(), endpoint.js_function, input, id], { timeout: this.deps.limits.cpuMsPerEntry }),
        )
          .catch((error: unknown) => this.failEntry(error, "the request", isolate))
          .finally(() => namespace.release());
        onHandle(handle);
        const result = parseInvokeResult(outcome, this.deps.limits.bytes);
        if (!result.ok) {
          this.writeLog({ at: Date.now(), level: "error", message: `${request.method.toUpperCase()} ${request.path}: ${result.message}`, stack: parseStack(result.stack, this.deps.sourceMaps) });
          return jsonResponse(500, { error: { code: "APP_ERROR", message: result.message } });
        }
        if (!txn.isEmpty()) {
          await txn.commit(this.deps.commitKv).catch((error: unknown) => {
            this.writeLog({ at: Date.now(), level: "error", message: `${request.method.toUpperCase()} ${request.path}: ${errorMessage(error)}` });
            throw error instanceof KvCommitError ? new AppError(500, error.message) : error;
          });
        }
        return result.response;
      } finally {
        handle.txn = undefined;
      }
    };
    if (!reuseKey) {
      try {
        return await work();
      } finally {
        this.release(handle);
      }
    }
    const queued = handle.queue.then(work, work);
    handle.queue = queued.catch(() => undefined);
    return queued;
  }

  private reusedContext(key: string): Promise<ContextHandle> {
    let handle = this.reused.get(key);
    if (!handle) {
      handle = this.createContext(false);
      this.reused.set(key, handle);
      handle.catch(() => this.reused.delete(key));
    }
    return handle;
  }

  /** Calls a listener the main module registered (chat/streams events, rpc methods). */
  async dispatch(key: string, payload: unknown, extra?: unknown[]): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
    const main = this.main;
    if (!main || this.state !== "running") return { ok: false, message: "The app is not running" };
    const isolate = this.isolate;
    try {
      const outcome = (await this.runEntry((id) =>
        main.entry.apply(undefined, ["dispatch", key, payload, extra ?? null, id], { arguments: { copy: true }, timeout: this.deps.limits.cpuMsPerEntry }),
      )) as { ok: boolean; value?: unknown; error?: { message: string; stack: string } };
      if (outcome && outcome.ok) return { ok: true, value: outcome.value };
      const message = String(outcome?.error?.message ?? "failed");
      this.writeLog({ at: Date.now(), level: "error", message: `${key}: ${message}`, stack: parseStack(outcome?.error?.stack, this.deps.sourceMaps) });
      return { ok: false, message };
    } catch (error) {
      try {
        this.failEntry(error, key, isolate);
      } catch (failure) {
        return { ok: false, message: errorMessage(failure) };
      }
    }
  }

  /**
   * Classifies a failed entry into `isolate`: CPU timeout, disposal (memory or watchdog), deadline.
   * Always throws. When a restart has replaced that isolate meanwhile, whoever saw it end first has
   * recorded why; the entry only reports it (recording it again would restart the new isolate).
   */
  private failEntry(error: unknown, what: string, isolate: ivm.Isolate): never {
    if (isolate !== this.isolate) throw new AppError(503, this.endedWith.get(isolate) ?? "The app's isolate was restarted");
    const message = errorMessage(error);
    if (error instanceof DeadlineError) {
      this.violation(`Time limit: ${what} did not finish within ${this.deps.limits.requestTimeoutMs} ms`, false);
      throw new AppError(504, `The app did not answer within ${this.deps.limits.requestTimeoutMs} ms`);
    }
    this.entryFailed(error, what);
    if (/timed out/i.test(message)) throw new AppError(500, `CPU limit: the app used more than ${this.deps.limits.cpuMsPerEntry} ms`);
    // Recording the end may have restarted the app already: the reason is kept with the old isolate.
    if (isolate.isDisposed || /disposed/i.test(message)) throw new AppError(503, this.endedWith.get(isolate) ?? this.fatalReason ?? "The app's isolate was stopped");
    throw new AppError(500, message);
  }

  /** Records what went wrong with an entry that was not awaited by a request (timers, settles). */
  private entryFailed(error: unknown, what: string): void {
    const message = errorMessage(error);
    if (/timed out/i.test(message)) {
      this.violation(`CPU limit: ${what} ran longer than ${this.deps.limits.cpuMsPerEntry} ms`, false);
      return;
    }
    if (this.isolate.isDisposed || /disposed/i.test(message)) {
      if (!this.fatalReason) {
        this.fatalReason = /memory/i.test(message) ? `Memory limit: the isolate exceeded ${this.deps.limits.memoryMb} MB` : "The isolate was disposed";
        this.rejectWaiting(this.fatalReason);
        this.violation(this.fatalReason, true);
      }
      return;
    }
    this.writeLog({ at: Date.now(), level: "error", message: `${what}: ${message}` });
  }

  /** Called by the worker's watchdog every 50 ms. */
  sampleCpu(): void {
    if (!this.isolate || this.isolate.isDisposed || this.state === "stopped") return;
    const cpuMs = Number(this.isolate.cpuTime / 1_000_000n);
    const delta = cpuMs - this.lastCpuMs;
    this.lastCpuMs = cpuMs;
    // The host's time in the app's calls counts against its budget; not against the watchdog
    // below, which looks for code running outside any timed entry.
    this.cpuLastMinute.add(delta + this.hostMs - this.lastHostMs);
    this.lastHostMs = this.hostMs;
    // Every entry has its own timeout; CPU burnt while no entry runs escaped them all.
    const uncovered = this.activeEntries === 0 && !this.enteredSinceSample;
    this.enteredSinceSample = this.activeEntries > 0;
    this.busyMs = uncovered && delta >= watchdogIntervalMs * 0.5 ? this.busyMs + delta : 0;
    if (this.busyMs > this.deps.limits.cpuMsPerEntry + 100) {
      this.fatalReason = `CPU limit: code kept running for ${Math.round(this.busyMs)} ms outside any timed call`;
      this.isolate.dispose();
      this.rejectWaiting(this.fatalReason);
      this.violation(this.fatalReason, true);
      return;
    }
    const now = Date.now();
    const overBudget = this.cpuLastMinute.total(now) > this.deps.limits.cpuBudgetMsPerMinute;
    this.throttled = overBudget;
    if (overBudget && now - this.budgetFlaggedAt > 60_000) {
      this.budgetFlaggedAt = now;
      this.violation(`CPU budget: more than ${this.deps.limits.cpuBudgetMsPerMinute} ms of CPU in a minute`, false);
    }
  }

  /** Over its CPU budget an app is throttled: requests get 429 and timers skip until the minute's use falls under it. */
  private throttled = false;

  private violation(reason: string, fatal: boolean): void {
    this.writeLog({ at: Date.now(), level: "violation", message: reason });
    this.deps.onViolation(reason, fatal);
  }

  private consoleLine(level: LogInput["level"], message: string, totalBytes?: number): void {
    if (!this.logBucket.take()) {
      if (this.droppedLogs++ === 0) {
        setTimeout(() => {
          this.violation(`Log rate: more than ${this.deps.limits.logLinesPerSecond} lines per second; ${this.droppedLogs} lines dropped`, false);
          this.droppedLogs = 0;
        }, 1000).unref();
      }
      return;
    }
    this.writeLog({ at: Date.now(), level, message }, totalBytes);
  }

  /** Every line is cut to the log line limit here, where it is made. */
  private writeLog(entry: LogInput, totalBytes?: number): void {
    this.deps.log({ ...entry, message: truncateUtf8(entry.message, this.deps.limits.bytes.logLineBytes, totalBytes) });
  }
}

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError("deadline")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

type InvokeResult = { ok: true; response: Omit<AppResponse, "execMs"> } | { ok: false; message: string; stack?: string };

/** The isolate's answer is untrusted: check every field, and its size, before it leaves the host. */
function parseInvokeResult(value: unknown, bytes: ByteBudget): InvokeResult {
  const outcome = value as { ok?: unknown; response?: { status?: unknown; headers?: unknown; body?: unknown }; error?: { message?: unknown; stack?: unknown } };
  if (!outcome || typeof outcome !== "object") return { ok: false, message: "The endpoint gave no answer" };
  if (outcome.ok !== true) {
    return { ok: false, message: String(outcome.error?.message ?? "The endpoint failed").slice(0, 2000), stack: typeof outcome.error?.stack === "string" ? outcome.error.stack : undefined };
  }
  const response = outcome.response ?? {};
  const status = typeof response.status === "number" && Number.isInteger(response.status) && response.status >= 100 && response.status <= 599 ? response.status : undefined;
  if (status === undefined) return { ok: false, message: `Invalid statusCode ${String(response.status)}` };
  const headers: Record<string, string> = Object.create(null);
  if (response.headers && typeof response.headers === "object") {
    const entries = Object.entries(response.headers as Record<string, unknown>);
    if (entries.length > bytes.responseHeaderCount) return { ok: false, message: `RangeError: A response has at most ${bytes.responseHeaderCount} headers` };
    let headerBytes = 0;
    for (const [key, header] of entries) {
      if (typeof header !== "string") continue;
      headerBytes += key.length + utf8Bytes(header, bytes.responseHeaderBytes);
      if (headerBytes > bytes.responseHeaderBytes) return { ok: false, message: `RangeError: Response headers larger than ${bytes.responseHeaderBytes} bytes` };
      if (/^[a-z0-9!#$%&'*+.^_`|~-]{1,100}$/.test(key) && !/[\r\n]/.test(header) && header.length <= 8000) headers[key] = header;
    }
  }
  const text = typeof response.body === "string" ? response.body : undefined;
  const size = text === undefined ? (response.body instanceof ArrayBuffer ? response.body.byteLength : 0) : utf8Bytes(text, bytes.responseBodyBytes);
  if (size > bytes.responseBodyBytes) return { ok: false, message: `RangeError: Response body larger than ${bytes.responseBodyBytes} bytes (UTF-8)` };
  const body = response.body instanceof ArrayBuffer ? new Uint8Array(response.body) : text !== undefined ? new Uint8Array(Buffer.from(text, "utf8")) : new Uint8Array(0);
  return { ok: true, response: { status, headers: { ...headers }, body } };
}

function jsonResponse(status: number, body: unknown): Omit<AppResponse, "execMs"> {
  return { status, headers: { "content-type": "application/json" }, body: new Uint8Array(Buffer.from(JSON.stringify(body))) };
}

/**
 * "at fn (file:///src/app.js:12:5)" → {module: "app.js", line: 12, column: 5, functionName: "fn"};
 * positions in transpiled modules are mapped back to the developer's TypeScript.
 */
export function parseStack(stack: string | undefined, sourceMaps?: Map<string, PositionMap>): AppLogEntry["stack"] {
  if (!stack) return undefined;
  const frames: NonNullable<AppLogEntry["stack"]> = [];
  for (const line of stack.split("\n")) {
    const match = /at (?:(.+?) \()?file:\/\/\/src\/(.+?):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!match) continue;
    const module = match[2]!;
    const generated = { line: Number(match[3]), column: Number(match[4]) };
    const map = sourceMaps?.get(module);
    const position = (map && originalPosition(map, generated.line, generated.column)) ?? generated;
    frames.push({ module, line: position.line, column: position.column, functionName: match[1] || undefined });
    if (frames.length >= 20) break;
  }
  return frames.length ? frames : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
