// A chat load process, forked by run.ts (never the server's process): opens guest receivers in
// batches (websocket transport only) and, in process 0, the signed-in senders, all joined to one
// channel; sends at a fixed total rate and measures what every receiver gets. Talks to the
// parent over IPC (see common.ts) and exits when the parent goes away.
import { createRequire } from "node:module";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type * as SocketIoClient from "socket.io-client";
import type { Socket } from "socket.io-client";
import {
  dueTime,
  messageText,
  newHistogram,
  now,
  parseMessageText,
  record,
  sleep,
  toSparse,
  type LoadConfig,
  type LoadToParent,
  type ParentToLoad,
  type SenderAuth,
} from "./common";

// The CommonJS build: an ESM import on Node resolves to socket.io-client's esm-debug build, whose
// debug() calls on every packet cost the receivers a few percent.
const { io } = createRequire(import.meta.url)("socket.io-client") as typeof SocketIoClient;

function send(message: LoadToParent): void {
  process.send?.(message);
}

process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0)); // a clean exit, so --cpu-prof writes its profile
process.on("uncaughtException", (error) => {
  send({ type: "fatal", error: error.stack ?? String(error) });
  setTimeout(() => process.exit(1), 100);
});

let config: LoadConfig;
const sockets: Socket[] = [];
const senders: Socket[] = [];

// Receiver-side state, sized when the run starts.
let plan = { measureStart: Infinity, measureEnd: -Infinity, firstMeasuredSeq: Infinity, endSeq: 0 };
let seen: Uint8Array[] = [];
let maxLatencyBySeq = new Float64Array(0); // per receiver: which measured messages it already got
let windowDeliveries = 0;
let measuredDeliveries = 0;
let duplicates = 0;
let foreign = 0;
let lastDeliveryAt = 0;
let disconnects = 0;
const latency = newHistogram();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

function onMessage(receiver: number, message: { text?: unknown }): void {
  const at = now();
  const parsed = parseMessageText(message?.text, config.runId);
  if (!parsed) {
    foreign++;
    return;
  }
  if (at >= plan.measureStart && at < plan.measureEnd) windowDeliveries++;
  const { seq, sentAt } = parsed;
  if (seq < plan.firstMeasuredSeq || seq >= plan.endSeq) return;
  const bits = seen[receiver]!;
  const index = seq - plan.firstMeasuredSeq;
  if (bits[index]) {
    duplicates++;
    return;
  }
  bits[index] = 1;
  measuredDeliveries++;
  lastDeliveryAt = at;
  const ms = at - sentAt;
  record(latency, ms);
  if (ms > maxLatencyBySeq[index]!) maxLatencyBySeq[index] = ms;
}

let opened = 0;

/** Connects one socket and joins the channel; resolves when the server has sent `channel`. */
function openMember(auth: SenderAuth | undefined, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(config.urls[opened++ % config.urls.length] + config.namespace, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
      auth: auth?.token ? { token: auth.token } : {},
      extraHeaders: auth?.cookie ? { cookie: auth.cookie } : undefined,
    });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error("join timed out"));
    }, timeoutMs);
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.on("channel", (payload: { channel?: string }) => {
      if (payload?.channel !== config.channel) return;
      clearTimeout(timer);
      resolve(socket);
    });
    socket.on("connect", () => socket.emit("join", { channel: config.channel }));
  });
}

async function connectAll(): Promise<void> {
  const started = now();
  const errors = new Map<string, number>();
  let failed = 0;
  const fail = (error: unknown) => {
    failed++;
    const key = error instanceof Error ? error.message : String(error);
    errors.set(key, (errors.get(key) ?? 0) + 1);
  };
  for (const auth of config.senders) {
    try {
      senders.push(await openMember(auth, 15_000));
    } catch (error) {
      fail(error);
    }
  }
  for (let offset = 0; offset < config.receivers; offset += config.batchSize) {
    const count = Math.min(config.batchSize, config.receivers - offset);
    const batch = await Promise.allSettled(Array.from({ length: count }, () => openMember(undefined, 30_000)));
    for (const outcome of batch) {
      if (outcome.status === "rejected") {
        fail(outcome.reason);
        continue;
      }
      const index = sockets.length;
      const socket = outcome.value;
      sockets.push(socket);
      socket.on("message", (message: { text?: unknown }) => onMessage(index, message));
      socket.on("disconnect", () => disconnects++);
    }
  }
  send({
    type: "connected",
    receivers: sockets.length,
    senders: senders.length,
    failed,
    connectMs: Math.round(now() - started),
    errors: [...errors].map(([message, count]) => `${count}× ${message}`),
  });
}

async function runSenders(start: Extract<ParentToLoad, { type: "start" }>): Promise<void> {
  if (!senders.length) return;
  const ackHistogram = newHistogram();
  const ackErrors: Record<string, number> = {};
  let sent = 0;
  let measuredSent = 0;
  let acked = 0;
  let measuredAcked = 0;
  let pendingAcks = 0;
  let lateSends = 0;
  let maxSendLagMs = 0;
  for (let seq = 0; seq < start.endSeq; seq++) {
    const due = dueTime(start, seq);
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    const sentAt = now();
    const lag = sentAt - due;
    if (lag > 10) lateSends++;
    maxSendLagMs = Math.max(maxSendLagMs, lag);
    const measured = seq >= start.firstMeasuredSeq;
    const socket = senders[seq % senders.length]!;
    pendingAcks++;
    socket
      .timeout(config.ackTimeoutMs)
      .emit("message", { type: "channel", target: config.channel, text: messageText(config.runId, seq, sentAt) }, (error: Error | null, response?: { data?: unknown; error?: { code?: string } }) => {
        pendingAcks--;
        if (error || !response || response.error) {
          const code = (error ? "ACK_TIMEOUT" : (response?.error?.code ?? "NO_RESPONSE")) + (measured ? "" : " (warm-up)");
          ackErrors[code] = (ackErrors[code] ?? 0) + 1;
          return;
        }
        acked++;
        if (measured) measuredAcked++;
        record(ackHistogram, now() - sentAt);
      });
    sent++;
    if (measured) measuredSent++;
  }
  const ackDeadline = now() + config.ackTimeoutMs + 500;
  while (pendingAcks > 0 && now() < ackDeadline) await sleep(20);
  send({ type: "sent", sent, measuredSent, acked, measuredAcked, ackErrors, ackHistogram: toSparse(ackHistogram), lateSends, maxSendLagMs: Math.round(maxSendLagMs) });
}

async function finish(measuredSent: number, deadline: number): Promise<void> {
  const expected = measuredSent * sockets.length;
  while (measuredDeliveries < expected && now() < deadline) await sleep(20);
  loopDelay.disable();
  send({
    type: "result",
    result: {
      receivers: sockets.length,
      windowDeliveries,
      measuredDeliveries,
      duplicates,
      foreign,
      latency: toSparse(latency),
      lastDeliveryAt,
      maxLatencyBySeq: Array.from(maxLatencyBySeq, (ms) => Math.round(ms * 10) / 10),
      disconnects,
      eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    },
  });
}

process.on("message", (message: ParentToLoad) => {
  if (message.type === "config") {
    config = message.config;
    void connectAll().catch((error: unknown) => send({ type: "fatal", error: String(error) }));
  } else if (message.type === "start") {
    plan = message;
    const measuredCount = Math.max(0, message.endSeq - message.firstMeasuredSeq);
    seen = sockets.map(() => new Uint8Array(measuredCount));
    maxLatencyBySeq = new Float64Array(measuredCount);
    loopDelay.enable();
    void runSenders(message).catch((error: unknown) => send({ type: "fatal", error: String(error) }));
  } else if (message.type === "finish") {
    void finish(message.measuredSent, message.deadline);
  }
});
