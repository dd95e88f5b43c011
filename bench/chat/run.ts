// npm run bench:chat — live chat fan-out: N guest receivers in one channel, S signed-in senders
// at a fixed total rate, against Canopy's real server and against a bare Socket.IO broadcast
// server (bench/chat/bare-server.ts) with the same load. Prints JSON: delivered messages/s,
// end-to-end latency, losses (sent vs acked vs stored vs received by every client), server CPU and
// peak RSS, and the Canopy ÷ bare ratio against the targets (≥ 0.8 × bare delivered/s, p99 ≤ 100 ms,
// nothing lost).
//
//   npm run bench:chat -- [--clients 1000] [--senders 10] [--rate 20] [--seconds 20] [--warmup 4]
//                         [--load-procs auto|1|2] (receiver processes; senders get their own)
//                         [--rounds 2] (legs alternate: bare, canopy, canopy, bare) [--batch 100] [--legs bare,canopy] [--drain 5]
//                         [--cpu-prof DIR] [--load-cpu-prof DIR] [--bare-recovery] [--log-level info]
//
// --cpu-prof DIR writes DIR/{bare,canopy}-<pid>.cpuprofile of each server over the measurement
// window; summarise it with `npx tsx bench/chat/cpuprofile-summary.ts FILE`.
//
// The load runs in child processes (bench/chat/load.ts), never in the server's process; each
// process and server is stopped at the end, on failure and on Ctrl-C.
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "redis";
import { freshPostgresDatabase, startServer, type RunningServer } from "../../tests/helpers/server";
import { TestClient } from "../../tests/helpers/http-client";
import {
  mergeSparse,
  now,
  parseMessageText,
  percentiles,
  round,
  sendPlan,
  sleep,
  type LoadConfig,
  type LoadResult,
  type LoadToParent,
  type ParentToLoad,
  type SenderAuth,
} from "./common";
import { MachineSampler, ProcessSampler } from "./proc-stats";

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, "../..");

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    senders: { type: "string", default: "10" },
    // 20 messages/s into 1000 clients is 20k deliveries/s: the bare server and the socket.io-client
    // receivers then need ~0.8 of this machine's 2 cores, leaving headroom so p99 measures the
    // server rather than CPU queueing (at 50/s both legs saturate a shared 2-core machine).
    rate: { type: "string", default: "20" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string", default: "4" },
    drain: { type: "string", default: "5" },
    batch: { type: "string", default: "100" },
    "load-procs": { type: "string", default: "auto" },
    legs: { type: "string", default: "bare,canopy" },
    rounds: { type: "string", default: "2" },
    "ack-timeout": { type: "string", default: "10000" },
    "cpu-prof": { type: "string" },
    "load-cpu-prof": { type: "string" },
    "bare-recovery": { type: "boolean", default: false },
    "log-level": { type: "string", default: "info" },
    "rate-limit-env": { type: "string", default: "CHAT_RATE_LIMIT_MESSAGES=100000,CHAT_RATE_LIMIT_WINDOW_SECONDS=1" },
  },
});

const clients = positiveInt("clients");
const senderCount = positiveInt("senders");
const rate = positiveNumber("rate");
const seconds = positiveNumber("seconds");
const warmup = positiveNumber("warmup");
const drain = positiveNumber("drain");
const batchSize = positiveInt("batch");
const ackTimeoutMs = positiveInt("ack-timeout");
// One receiving process handles roughly 40k deliveries/s before it saturates a core (measured on
// the bare server); above ~30k/s offered the receivers are split over two.
const autoLoadProcs = rate * clients > 30_000 ? 2 : 1;
const loadProcs = values["load-procs"] === "auto" ? autoLoadProcs : positiveInt("load-procs");
const rounds = positiveInt("rounds");
const legs = values.legs!.split(",").map((leg) => leg.trim());
for (const leg of legs) if (leg !== "bare" && leg !== "canopy" && leg !== "cluster") fail(`unknown leg ${leg}`);
if (legs.includes("cluster") && (!process.env.DATABASE_URL || !process.env.REDIS_URL)) fail("the cluster leg needs DATABASE_URL (PostgreSQL) and REDIS_URL");

function positiveNumber(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!(value > 0)) fail(`--${name} must be a positive number`);
  return value;
}
function positiveInt(name: keyof typeof values): number {
  const value = positiveNumber(name);
  if (!Number.isInteger(value)) fail(`--${name} must be an integer`);
  return value;
}
function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

// ——— child processes: every one is tracked and killed on any way out ———
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}
const dataDirs = new Set<string>();
function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`bench:chat: ${signal}, stopping`);
    killAll();
    process.exit(130);
  });
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

// ——— load processes ———
type LoadProcess = {
  child: ChildProcess;
  output: string[];
  next<T extends LoadToParent["type"]>(type: T, timeoutMs: number): Promise<Extract<LoadToParent, { type: T }>>;
  send(message: ParentToLoad): void;
};

function startLoadProcess(index: number): LoadProcess {
  const profile = values["load-cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(values["load-cpu-prof"])}`] : [];
  const child = track(
    fork(path.join(here, "load.ts"), [String(index)], {
      cwd: projectRoot,
      execArgv: ["--import", "tsx", ...profile],
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    }),
  );
  const output: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const inbox: LoadToParent[] = [];
  const waiters: Array<() => void> = [];
  child.on("message", (message: LoadToParent) => {
    inbox.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  child.once("exit", () => {
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    output,
    send: (message) => void child.send(message),
    async next(type, timeoutMs) {
      const deadline = now() + timeoutMs;
      for (;;) {
        const fatal = inbox.find((message) => message.type === "fatal");
        if (fatal && fatal.type === "fatal") throw new Error(`load process ${index}: ${fatal.error}`);
        const at = inbox.findIndex((message) => message.type === type);
        if (at >= 0) return inbox.splice(at, 1)[0] as Extract<LoadToParent, { type: typeof type }>;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`load process ${index} exited (${child.exitCode ?? child.signalCode}):\n${output.join("").slice(-2000)}`);
        const left = deadline - now();
        if (left <= 0) throw new Error(`load process ${index}: no "${type}" within ${Math.round(timeoutMs / 1000)} s`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

// ——— one leg: the same load against one server ———
type Target = {
  label: "bare" | "canopy" | "cluster";
  /** One server, or the nodes of a cluster (members spread over them in turn). */
  urls: string[];
  pids: number[];
  channel: string;
  senders: SenderAuth[];
  /** The server runs cpu-profile-hook.mjs: SIGUSR2 at the window's start and end. */
  profiled?: boolean;
  /** Counts measured messages the server stored (Canopy: REST history). */
  storedCount?: (runId: string, firstMeasuredSeq: number, endSeq: number) => Promise<{ stored: number | null; checked: string }>;
};

async function runLeg(target: Target) {
  const runId = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const serverSamplers = target.pids.map((pid) => new ProcessSampler(pid));
  const loads: LoadProcess[] = [];
  try {
    // Process 0 holds the senders only, so send times stay punctual however busy the receivers
    // are; processes 1…loadProcs hold the receivers.
    const shares = [0, ...Array.from({ length: loadProcs }, (_, i) => Math.floor(clients / loadProcs) + (i < clients % loadProcs ? 1 : 0))];
    for (let i = 0; i <= loadProcs; i++) loads.push(startLoadProcess(i));
    const loadSamplers = loads.map((load) => new ProcessSampler(load.child.pid!));
    const connectStarted = now();
    loads.forEach((load, i) => {
      const config: LoadConfig = {
        urls: target.urls,
        namespace: "/chat",
        channel: target.channel,
        runId,
        receivers: shares[i]!,
        senders: i === 0 ? target.senders : [],
        rate,
        batchSize: Math.max(1, Math.round(batchSize / loadProcs)),
        ackTimeoutMs,
      };
      load.send({ type: "config", config });
    });
    const connectTimeout = 30_000 + clients * 40;
    const connected = await Promise.all(loads.map((load) => load.next("connected", connectTimeout)));
    const connectSeconds = (now() - connectStarted) / 1000;
    const receivers = connected.reduce((sum, c) => sum + c.receivers, 0);
    const connectedSenders = connected.reduce((sum, c) => sum + c.senders, 0);
    const failures = connected.flatMap((c) => c.errors);
    if (connectedSenders === 0) throw new Error(`${target.label}: no sender could join: ${failures.join("; ")}`);
    if (receivers === 0) throw new Error(`${target.label}: no receiver could join: ${failures.join("; ")}`);

    const plan = sendPlan(now() + 300, warmup * 1000, seconds * 1000, rate);
    const { measureStart, measureEnd, firstMeasuredSeq, endSeq } = plan;
    for (const load of loads) load.send({ type: "start", ...plan });
    const samplers = [...serverSamplers, ...loadSamplers, new MachineSampler()];
    const windowCpu: Array<number | null> = [];
    const startWindow = setTimeout(() => {
      samplers.forEach((s) => s.startWindow());
      if (target.profiled) for (const pid of target.pids) process.kill(pid, "SIGUSR2"); // cpu-profile-hook.mjs: start
    }, measureStart - now());
    const endWindow = setTimeout(() => {
      samplers.forEach((s, i) => (windowCpu[i] = s.endWindow()));
      if (target.profiled) for (const pid of target.pids) process.kill(pid, "SIGUSR2"); // cpu-profile-hook.mjs: write
    }, measureEnd - now());

    const sent = await loads[0]!.next("sent", measureEnd - now() + ackTimeoutMs + 10_000);
    clearTimeout(startWindow);
    clearTimeout(endWindow);
    if (windowCpu.length === 0) samplers.forEach((s, i) => (windowCpu[i] = s.endWindow()));
    const deadline = now() + drain * 1000;
    for (const load of loads) load.send({ type: "finish", measuredSent: sent.measuredSent, deadline });
    const results: LoadResult[] = (await Promise.all(loads.map((load) => load.next("result", drain * 1000 + 10_000)))).map((r) => r.result);
    const stored = target.storedCount ? await target.storedCount(runId, firstMeasuredSeq, endSeq) : { stored: null, checked: "not stored (bare server)" };
    serverSamplers.forEach((s) => s.stop());
    loadSamplers.forEach((s) => s.stop());
    const machineCores = windowCpu[samplers.length - 1];
    const serverWindows = windowCpu.slice(0, serverSamplers.length);
    const serverCores = serverWindows.some((cores) => cores == null) ? null : serverWindows.reduce<number>((sum, cores) => sum + cores!, 0);
    const loadCpu = windowCpu.slice(serverSamplers.length);
    const benchCores = windowCpu.slice(0, samplers.length - 1).reduce<number>((sum, cores) => sum + (cores ?? 0), 0);

    const latency = percentiles(mergeSparse(results.map((r) => r.latency)), [50, 90, 99, 99.9]);
    const ack = percentiles(mergeSparse([sent.ackHistogram]), [50, 99]);
    const windowDeliveries = results.reduce((sum, r) => sum + r.windowDeliveries, 0);
    const received = results.reduce((sum, r) => sum + r.measuredDeliveries, 0);
    const expected = sent.measuredSent * receivers;
    const lastDeliveryAt = Math.max(...results.map((r) => r.lastDeliveryAt));
    // The slowest delivery of the messages sent in each second of the measurement.
    const perSecond: number[] = [];
    for (const r of results) {
      r.maxLatencyBySeq.forEach((ms, index) => {
        const second = Math.floor(index / rate);
        perSecond[second] = Math.max(perSecond[second] ?? 0, ms);
      });
    }
    return {
      servers: target.urls,
      roomSize: { receivers, senders: connectedSenders, failedToJoin: connected.reduce((sum, c) => sum + c.failed, 0), joinErrors: failures },
      connectSeconds: round(connectSeconds, 2),
      deliveredPerSecond: Math.round(windowDeliveries / seconds),
      offeredDeliveriesPerSecond: Math.round(rate * receivers),
      latencyMs: { p50: latency.values.p50 ?? null, p90: latency.values.p90 ?? null, p99: latency.values.p99 ?? null, "p99.9": latency.values["p99.9"] ?? null, max: latency.maxMs, samples: latency.count },
      maxLatencyMsBySendSecond: perSecond.map((ms) => Math.round(ms)),
      messages: {
        sent: sent.measuredSent,
        acked: sent.measuredAcked,
        ackErrors: sent.ackErrors,
        stored: stored.stored,
        storedCheck: stored.checked,
        expectedDeliveries: expected,
        receivedDeliveries: received,
        lostDeliveries: expected - received,
        duplicates: results.reduce((sum, r) => sum + r.duplicates, 0),
        foreign: results.reduce((sum, r) => sum + r.foreign, 0),
        receiverDisconnects: results.reduce((sum, r) => sum + r.disconnects, 0),
        drainMs: lastDeliveryAt ? Math.max(0, Math.round(lastDeliveryAt - measureEnd)) : null,
      },
      ackLatencyMs: { p50: ack.values.p50 ?? null, p99: ack.values.p99 ?? null, max: ack.maxMs },
      sender: { lateSends: sent.lateSends, maxSendLagMs: sent.maxSendLagMs, totalSentIncludingWarmup: sent.sent },
      serverProcess: {
        pids: target.pids,
        cpuCores: serverCores === null ? null : round(serverCores, 3),
        peakRssMiB: round(serverSamplers.reduce((sum, s) => sum + s.peakRssKiB, 0) / 1024, 1),
        // Server CPU per delivery in the window, and the deliveries one full core would carry at
        // that cost: less sensitive than latency to what else runs on a shared machine.
        cpuMicrosPerDelivery: serverCores && windowDeliveries ? round((serverCores * seconds * 1e6) / windowDeliveries, 2) : null,
        deliveriesPerCpuSecond: serverCores && windowDeliveries ? Math.round(windowDeliveries / (serverCores * seconds)) : null,
      },
      machine: {
        busyCores: machineCores == null ? null : round(machineCores, 2),
        // Whatever else ran on this shared machine during the measurement (other users, kernel).
        othersCores: machineCores == null ? null : round(Math.max(0, machineCores - benchCores), 2),
      },
      loadProcesses: loads.map((_, i) => ({
        role: i === 0 ? "senders" : "receivers",
        receivers: results[i]!.receivers,
        senders: connected[i]!.senders,
        cpuCores: loadCpu[i] == null ? null : round(loadCpu[i]!, 3),
        saturated: (loadCpu[i] ?? 0) > 0.9,
        eventLoopDelayP99Ms: results[i]!.eventLoopDelayP99Ms,
        peakRssMiB: round(loadSamplers[i]!.peakRssKiB / 1024, 1),
      })),
    };
  } catch (error) {
    for (const [i, load] of loads.entries()) {
      const tail = load.output.join("").slice(-1500);
      if (tail) console.error(`--- load process ${i} output ---\n${tail}`);
    }
    throw error;
  } finally {
    serverSamplers.forEach((s) => s.stop());
    for (const load of loads) load.child.disconnect?.();
    await Promise.all(loads.map((load) => stopChild(load.child, 3000)));
  }
}

// ——— the two servers ———
async function startBare(): Promise<{ url: string; child: ChildProcess; logs: string[] }> {
  const child = track(
    spawn(process.execPath, ["--import", "tsx", path.join(here, "bare-server.ts")], {
      cwd: projectRoot,
      env: { ...process.env, ...profilerEnv("bare"), BARE_RECOVERY: values["bare-recovery"] ? "1" : "" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    }),
  );
  const logs: string[] = [];
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        logs.push(chunk.toString());
        const match = chunk.toString().match(/"listening":(\d+)/);
        if (match) resolve(Number(match[1]));
      });
      child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
      child.once("exit", (code) => reject(new Error(`bare server exited with ${code}: ${logs.join("")}`)));
    }),
    20_000,
    "bare server start",
  );
  return { url: `http://127.0.0.1:${port}`, child, logs };
}

/** With --cpu-prof DIR: preload cpu-profile-hook.mjs into a server (never into the load). */
/** BENCH_CHAT_SERVER_NODE_OPTIONS is passed on to both servers (e.g. a diagnostic --import). */
function profilerEnv(label: string): Record<string, string> {
  const extra = process.env.BENCH_CHAT_SERVER_NODE_OPTIONS ?? "";
  if (!values["cpu-prof"]) return { NODE_OPTIONS: extra };
  const dir = path.resolve(values["cpu-prof"]);
  fs.mkdirSync(dir, { recursive: true });
  return { NODE_OPTIONS: `--import ${path.join(here, "cpu-profile-hook.mjs")} ${extra}`.trim(), BENCH_CPU_PROF_DIR: dir, BENCH_CPU_PROF_LABEL: label };
}

function rateLimitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of values["rate-limit-env"]!.split(",")) {
    const [name, value] = pair.split("=");
    if (name && value !== undefined) env[name.trim()] = value.trim();
  }
  return env;
}

/** Canopy on one server, or on the nodes of a cluster sharing one database (senders sign up on the first). */
async function canopyTarget(nodes: RunningServer[], tag: string, label: "canopy" | "cluster"): Promise<Target> {
  const server = nodes[0]!;
  const senders: SenderAuth[] = [];
  let channel = "";
  for (let i = 0; i < senderCount; i++) {
    const username = `s${tag}_${i}`.slice(0, 24);
    const password = `bench-password-${tag}-${i}`;
    const client = new TestClient(server.url);
    const created = await client.mutation("account.signUp", { username, password });
    if (created.error) throw new Error(`sign-up of ${username} failed: ${created.error.message}`);
    if (!(await client.signIn(username, password))) throw new Error(`sign-in of ${username} failed`);
    const token = await client.mutation<{ token: string }>("tokens.create", { name: "bench-chat" });
    if (!token.data?.token) throw new Error(`token for ${username} failed: ${token.error?.message}`);
    senders.push({ token: token.data.token });
    if (i === 0) channel = username;
  }
  return {
    label,
    urls: nodes.map((node) => node.url),
    pids: nodes.map((node) => node.process.pid!),
    channel,
    senders,
    async storedCount(runId, firstMeasuredSeq, endSeq) {
      // Ting's REST history (newest first, at most 1000 per call); older pages through tRPC's
      // chat.history with beforeId when more than 1000 messages were measured.
      const seqs = new Set<number>();
      const reader = new TestClient(server.url);
      let beforeId: number | undefined;
      let pages = 0;
      for (;;) {
        let page: Array<{ id: number; text?: unknown }>;
        if (beforeId === undefined) {
          const response = await fetch(`${server.url}/api/messages/${encodeURIComponent(channel)}?lim=1000`);
          if (!response.ok) return { stored: null, checked: `GET /api/messages/${channel} → ${response.status}` };
          page = (await response.json()) as typeof page;
        } else {
          const result = await reader.query<typeof page>("chat.history", { channel, limit: 1000, beforeId });
          if (!result.data) return { stored: null, checked: `chat.history: ${result.error?.message}` };
          page = result.data;
        }
        pages++;
        // Ids follow the order the server stored messages in, which under load interleaves the
        // last warm-up messages with the first measured ones: page on until a page holds none.
        let measuredOnPage = 0;
        for (const message of page) {
          const parsed = parseMessageText(message.text, runId);
          if (parsed && parsed.seq >= firstMeasuredSeq && parsed.seq < endSeq) {
            seqs.add(parsed.seq);
            measuredOnPage++;
          }
        }
        if (measuredOnPage === 0 || page.length < 1000) break;
        beforeId = page.at(-1)!.id;
      }
      return { stored: seqs.size, checked: pages === 1 ? "GET /api/messages/<channel>?lim=1000" : `GET /api/messages/<channel>?lim=1000 + ${pages - 1} page(s) of tRPC chat.history` };
    },
  };
}

// ——— main ———
const startedAt = now();
const output: Record<string, unknown> = {
  benchmark: "chat",
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  loadAverageBefore: os.loadavg().map((value) => round(value, 2)),
  config: { clients, senders: senderCount, rate, seconds, warmup, drain, rounds, batch: batchSize, receiverProcesses: loadProcs, receiverProcessesChosenBy: values["load-procs"] === "auto" ? "auto (2 when rate × clients > 30000 deliveries/s)" : "--load-procs", senderProcesses: 1, bareRecovery: values["bare-recovery"], transport: "websocket" },
  legs: {} as Record<string, unknown>,
};
type LegResult = Awaited<ReturnType<typeof runLeg>>;
const legResults: Record<string, LegResult[]> = {};

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Removes the cluster leg's stream and keys from Redis. */
async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*` })) if (keys.length) await redis.del(keys);
  await redis.close();
}

/**
 * Lost: a delivery some receiver never got, or a sent message history does not hold. A late ack
 * (ACK_TIMEOUT) is reported in messages.ackErrors but is not a loss by itself.
 */
function lostOf(leg: LegResult) {
  return { deliveries: leg.messages.lostDeliveries, notStored: leg.messages.stored === null ? 0 : leg.messages.sent - leg.messages.stored, unacked: leg.messages.sent - leg.messages.acked };
}

async function main(): Promise<void> {
  if (legs.includes("canopy") || legs.includes("cluster")) {
    const build = spawnSync(process.execPath, ["scripts/ensure-build.mjs"], { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const benchStarted = now();
  const watchdog = setTimeout(() => {
    console.error("bench:chat: watchdog expired, stopping everything");
    killAll();
    process.exit(1);
  }, 90_000 + rounds * legs.length * ((warmup + seconds + drain) * 1000 + ackTimeoutMs + 30_000 + clients * 40));
  watchdog.unref();

  // Both servers stay up for all rounds; the legs alternate (bare, canopy / canopy, bare, …) so
  // a burst of other work on this shared machine does not always hit the same one.
  const targets = new Map<string, Target>();
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  let server: RunningServer | undefined;
  const clusterNodes: RunningServer[] = [];
  let clusterDatabase: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  const clusterKeyPrefix = `bench_${Date.now().toString(36)}`;
  try {
    if (legs.includes("bare")) {
      bare = await startBare();
      targets.set("bare", { label: "bare", urls: [bare.url], pids: [bare.child.pid!], channel: "bench", senders: Array.from({ length: senderCount }, () => ({})), profiled: !!values["cpu-prof"] });
    }
    if (legs.includes("canopy")) {
      const serverStarted = now();
      // Our own data dir, so it is removed even when the server fails to start.
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-bench-chat-"));
      dataDirs.add(dataDir);
      server = await startServer({ dataDir, env: { CANOPY_START_WORKER: "false", LOG_LEVEL: values["log-level"]!, ...rateLimitEnv(), ...profilerEnv("canopy") } });
      track(server.process);
      output.canopyServerStartSeconds = round((now() - serverStarted) / 1000, 2);
      const target = await canopyTarget([server], Date.now().toString(36).slice(-6), "canopy");
      target.profiled = !!values["cpu-prof"];
      targets.set("canopy", target);
    }
    if (legs.includes("cluster")) {
      // Two nodes on one PostgreSQL database and one Redis (own key prefix), as in scale-out.
      clusterDatabase = await freshPostgresDatabase(process.env.DATABASE_URL!);
      const shared = {
        CANOPY_START_WORKER: "false",
        LOG_LEVEL: values["log-level"]!,
        REDIS_KEY_PREFIX: clusterKeyPrefix,
        NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
        INTERNAL_SECRET: crypto.randomBytes(32).toString("hex"),
        ...rateLimitEnv(),
      };
      for (const name of ["a", "b"]) {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-bench-cluster-"));
        dataDirs.add(dataDir);
        const node = await startServer({ dataDir, databaseUrl: clusterDatabase.url, env: { ...shared, CANOPY_NODE_ID: `bench-${name}`, ...profilerEnv(`cluster-${name}`) } });
        track(node.process);
        clusterNodes.push(node);
      }
      const target = await canopyTarget(clusterNodes, Date.now().toString(36).slice(-6), "cluster");
      target.profiled = !!values["cpu-prof"];
      targets.set("cluster", target);
    }
    for (let round = 0; round < rounds; round++) {
      for (const leg of round % 2 ? [...legs].reverse() : legs) {
        (legResults[leg] ??= []).push(await runLeg(targets.get(leg)!));
        output.legs = legResults;
        await sleep(500);
      }
    }
  } catch (error) {
    const tail = server?.logs.join("").slice(-3000);
    if (tail) console.error(`--- canopy server log ---\n${tail}`);
    throw error;
  } finally {
    if (bare) await stopChild(bare.child);
    for (const node of [server, ...clusterNodes]) {
      if (!node) continue;
      const stopped = node.stop();
      const timer = setTimeout(() => node.process.kill("SIGKILL"), 15_000);
      await stopped.catch(() => undefined);
      clearTimeout(timer);
      fs.rmSync(node.dataDir, { recursive: true, force: true });
      dataDirs.delete(node.dataDir);
    }
    await clusterDatabase?.drop().catch(() => undefined);
    if (clusterDatabase) await dropRedisKeys(clusterKeyPrefix).catch(() => undefined);
  }
  clearTimeout(watchdog);

  const bareRounds = legResults.bare ?? [];
  const canopyRounds = legResults.canopy ?? [];
  if (bareRounds.length && canopyRounds.length) {
    const p99 = (leg: LegResult) => leg.latencyMs.p99 ?? Infinity;
    const perRound = canopyRounds.map((canopy, i) => {
      const bareLeg = bareRounds[i]!;
      return {
        deliveredRatio: round(canopy.deliveredPerSecond / bareLeg.deliveredPerSecond, 3),
        canopyP99Ms: canopy.latencyMs.p99,
        bareP99Ms: bareLeg.latencyMs.p99,
        canopyP50Ms: canopy.latencyMs.p50,
        bareP50Ms: bareLeg.latencyMs.p50,
        cpuEfficiencyRatio: canopy.serverProcess.deliveriesPerCpuSecond && bareLeg.serverProcess.deliveriesPerCpuSecond ? round(canopy.serverProcess.deliveriesPerCpuSecond / bareLeg.serverProcess.deliveriesPerCpuSecond, 3) : null,
        othersCores: { bare: bareLeg.machine.othersCores, canopy: canopy.machine.othersCores },
      };
    });
    const canopyDelivered = median(canopyRounds.map((leg) => leg.deliveredPerSecond));
    const bareDelivered = median(bareRounds.map((leg) => leg.deliveredPerSecond));
    const ratio = canopyDelivered / bareDelivered;
    // The least disturbed round is the best estimate on a shared machine (others only add delay).
    const canopyBestP99 = Math.min(...canopyRounds.map(p99));
    const lost = canopyRounds.map(lostOf);
    const lostTotal = lost.reduce((sum, l) => sum + l.deliveries + l.notStored, 0);
    output.comparison = {
      rounds: canopyRounds.length,
      deliveredRatio: round(ratio, 3),
      canopyDeliveredPerSecond: canopyDelivered,
      bareDeliveredPerSecond: bareDelivered,
      canopyP99Ms: { best: canopyBestP99, median: median(canopyRounds.map(p99)) },
      bareP99Ms: { best: Math.min(...bareRounds.map(p99)), median: median(bareRounds.map(p99)) },
      canopyServerCpuCores: round(median(canopyRounds.map((leg) => leg.serverProcess.cpuCores ?? 0)), 3),
      bareServerCpuCores: round(median(bareRounds.map((leg) => leg.serverProcess.cpuCores ?? 0)), 3),
      // Server-bound capacity: deliveries per server CPU-second, Canopy ÷ bare (median of rounds).
      cpuEfficiencyRatio: round(median(perRound.map((r) => r.cpuEfficiencyRatio ?? 0)), 3),
      perRound,
    };
    output.targets = {
      ratioAtLeast0_8: ratio >= 0.8,
      p99AtMost100ms: canopyBestP99 <= 100,
      p99AtMost100msEveryRound: canopyRounds.every((leg) => p99(leg) <= 100),
      zeroLost: lostTotal === 0,
      lost,
      met: ratio >= 0.8 && canopyBestP99 <= 100 && lostTotal === 0,
    };
  }
  const clusterRounds = legResults.cluster ?? [];
  if (clusterRounds.length && canopyRounds.length) {
    // Two nodes against one at the same load: delivered/s ratio (target ≥ 0.9), p99, losses.
    const p99 = (leg: LegResult) => leg.latencyMs.p99 ?? Infinity;
    const oneNode = median(canopyRounds.map((leg) => leg.deliveredPerSecond));
    const twoNodes = median(clusterRounds.map((leg) => leg.deliveredPerSecond));
    const lost = clusterRounds.map(lostOf);
    const lostTotal = lost.reduce((sum, l) => sum + l.deliveries + l.notStored, 0);
    output.clusterComparison = {
      rounds: clusterRounds.length,
      deliveredRatio: round(twoNodes / oneNode, 3),
      oneNodeDeliveredPerSecond: oneNode,
      twoNodesDeliveredPerSecond: twoNodes,
      oneNodeP99Ms: median(canopyRounds.map(p99)),
      twoNodesP99Ms: median(clusterRounds.map(p99)),
      oneNodeServerCpuCores: round(median(canopyRounds.map((leg) => leg.serverProcess.cpuCores ?? 0)), 3),
      twoNodesServerCpuCores: round(median(clusterRounds.map((leg) => leg.serverProcess.cpuCores ?? 0)), 3),
      lost,
      oneNodeLost: canopyRounds.map(lostOf),
      targets: { ratioAtLeast0_9: twoNodes / oneNode >= 0.9, zeroLost: lostTotal === 0, met: twoNodes / oneNode >= 0.9 && lostTotal === 0 },
    };
  }
  const warnings: string[] = [];
  for (const [name, results] of Object.entries(legResults)) {
    for (const [i, leg] of results.entries()) {
      const where = `${name} round ${i + 1}`;
      if ((leg.machine.othersCores ?? 0) > 0.25) warnings.push(`${where}: other processes used ${leg.machine.othersCores} of ${os.cpus().length} cores during the measurement; latency and delivered/s are not representative`);
      for (const [p, load] of leg.loadProcesses.entries()) if (load.saturated) warnings.push(`${where}: load process ${p} (${load.role}) saturated a core; use --load-procs ${loadProcs + 1}`);
      if ((leg.machine.busyCores ?? 0) > os.cpus().length * 0.9) warnings.push(`${where}: the machine was CPU-bound (${leg.machine.busyCores} busy cores)`);
    }
  }
  output.warnings = warnings;
  output.totalSeconds = round((now() - startedAt) / 1000, 1);
  output.benchSeconds = round((now() - benchStarted) / 1000, 1);
  console.log(JSON.stringify(output, null, 2));
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(`bench:chat failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (Object.keys(legResults).length) console.error(JSON.stringify({ ...output, legs: legResults }, null, 2));
    killAll();
    process.exit(1);
  });
