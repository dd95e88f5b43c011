// npm run bench:containment — what one hostile app does to everyone else. Starts the real server
// (embedded database, supervised worker, app hosts), a live RTMP stream from ffmpeg, a control app,
// a chatter and a status poller; measures them at rest (baseline), then during each attack class
// in turn, in the same run. Prints JSON per class:
//   controlP99Ms — GET /apps/control/api/ping (closed loop, 2 connections)
//   chatP99Ms    — a chat message's send → ack (one chatter, back to back)
//   externalP99Ms — GET /api/external/ (closed loop, 1 connection)
//   ratios against the baseline (target ≤ 2 for every class), the attack's own answers by status
//   (clear 4xx/5xx, never dropped connections), worker restarts (target 0) and whether the live
//   stream ever read anything but ONLINE (target: never).
// Attackers are never suspended here (APPS_SUSPEND_AFTER_VIOLATIONS is raised) so each attack
// lasts its whole window; suspension is tested in tests/integration/app-containment.test.ts.
//
//   npm run bench:containment -- [--seconds 6] [--only hang,abort] [--out bench/containment/results/<name>.json]
import os from "node:os";
import { parseArgs } from "node:util";
import type { Socket } from "socket.io-client";
import { connectNamespace } from "../../tests/helpers/connect-namespace";
import { freePort } from "../../tests/helpers/free-port";
import { TestClient } from "../../tests/helpers/http-client";
import { killAll, publish } from "../../tests/helpers/ingest";
import { workerPidOf } from "../../tests/helpers/processes";
import { startServer, waitFor } from "../../tests/helpers/server";
import { httpLoad, percentile, printReport, round } from "../measure";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "6" },
    only: { type: "string" },
    out: { type: "string" },
  },
});
const windowMs = Number(values.seconds) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Bundle = { metadata: Record<string, unknown>; modules: { name: string; module: string }[] };
type Attack = {
  name: string;
  /** What the issue saw this class do before app hosts and source limits existed. */
  seen: string;
  bundle: Bundle;
  /** Concurrent attack loops hitting `path` (relative to the app's API). */
  path: string;
  concurrency: number;
  /** Extra pressure from outside the app (for example status queries). */
  alongside?: (context: { staff: TestClient; appId: string; signal: AbortSignal }) => Promise<void>;
};

const endpoint = (fn: string, extra: Record<string, unknown> = {}) => ({ get: { js_module: "attack.js", js_function: fn, authn_policies: ["no_auth"], mode: "readwrite", ...extra } });
const bundleOf = (fn: string, module: string, metadata: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Bundle => ({
  metadata: { endpoints: { "/attack": endpoint(fn, extra) }, ...metadata },
  modules: [{ name: "attack.js", module }],
});

const attacks: Attack[] = [
  {
    name: "hang-finalizer",
    seen: "FinalizationRegistry callback spinning on an isolate thread hung the worker for good",
    bundle: bundleOf(
      "attack",
      `const registry = new FinalizationRegistry(() => { for (;;) {} });
export function attack() { for (let i = 0; i < 2000; i++) registry.register({ big: new Array(1000).fill(i) }, i); return { body: { ok: true } }; }`,
      {},
      { interpreter_reuse: { key: "f" } },
    ),
    path: "/attack",
    concurrency: 2,
  },
  {
    name: "host-blocking-interval",
    seen: "setInterval busy 40 ms every 10 ms plus status queries blocked the worker's main thread ~100 s",
    bundle: {
      metadata: { main: "main.js", endpoints: { "/attack": endpoint("attack") } },
      modules: [
        { name: "main.js", module: "setInterval(() => { const end = Date.now() + 40; while (Date.now() < end) {} }, 10);" },
        { name: "attack.js", module: "export function attack() { return { body: { ok: true } }; }" },
      ],
    },
    path: "/attack",
    concurrency: 1,
    alongside: async ({ staff, appId, signal }) => {
      while (!signal.aborted) await staff.query("appRuntime.status", { appId, target: "live" }).catch(() => undefined);
    },
  },
  {
    name: "abort-oom",
    seen: "new Array(1e8).fill(0) aborted the whole worker (ingest, apps and render dropped)",
    bundle: bundleOf("attack", "export function attack() { return { body: new Array(1e8).fill(0).length }; }"),
    path: "/attack",
    concurrency: 2,
  },
  {
    name: "parallel-spin",
    seen: "8 concurrent clients on for(;;){} crashed the worker with SIGSEGV",
    bundle: bundleOf("attack", "export function attack() { for (;;) {} }"),
    path: "/attack",
    concurrency: 8,
  },
  {
    name: "oversized-log",
    seen: "a 3 MB log batch cut the worker off the bus",
    bundle: bundleOf("attack", 'export function attack() { for (let i = 0; i < 30; i++) console.log("x".repeat(100000)); return { body: { ok: true } }; }'),
    path: "/attack",
    concurrency: 2,
  },
  {
    name: "oversized-body-utf8",
    seen: '"€".repeat(900000) (2.7 MB of UTF-8 under a limit counted in UTF-16 units) cut the worker off the bus',
    bundle: bundleOf("attack", 'export function attack() { return { body: "€".repeat(900000) }; }'),
    path: "/attack",
    concurrency: 2,
  },
  {
    name: "oversized-headers",
    seen: "200 headers of 8 KB cut the worker off the bus",
    bundle: bundleOf("attack", 'export function attack() { const headers = {}; for (let i = 0; i < 200; i++) headers["x-h" + i] = "h".repeat(8192); return { headers, body: "ok" }; }'),
    path: "/attack",
    concurrency: 2,
  },
  {
    name: "oversized-emit",
    seen: "a 1.2 MB rpc.emit cut the worker off the bus",
    bundle: bundleOf("attack", 'export function attack() { canopy.rpc.emit("flood", "e".repeat(1200000)); return { body: { ok: true } }; }', { permissions: ["rpc"] }),
    path: "/attack",
    concurrency: 2,
  },
  {
    name: "kv-many-keys",
    seen: "a KV transaction of 180k tiny keys cut the worker off the bus",
    bundle: bundleOf(
      "attack",
      'export function attack() { const map = ccf.kv["m"]; for (let i = 0; i < 180000; i++) map.set(ccf.strToBuf("k" + i), ccf.strToBuf("v")); return { body: { ok: true } }; }',
    ),
    path: "/attack",
    concurrency: 1,
  },
  {
    name: "kv-server-stall",
    seen: "9,500 keys in one commit stalled the server 12 s (control p99 15 ms → 12.3 s)",
    bundle: bundleOf(
      "attack",
      'export function attack() { const map = ccf.kv["m"]; const salt = String(Math.random()); for (let i = 0; i < 9500; i++) map.set(ccf.strToBuf("k" + i), ccf.strToBuf(salt)); return { body: { ok: true } }; }',
    ),
    path: "/attack",
    concurrency: 1,
  },
  {
    name: "host-work-btoa",
    seen: "btoa on 9 MB cost ~280 ms of the worker's main thread per call, charged to nobody",
    bundle: bundleOf("attack", 'const big = "a".repeat(9 * 1024 * 1024); export function attack() { return { body: btoa(big).length }; }', {}, { interpreter_reuse: { key: "b" } }),
    path: "/attack",
    concurrency: 2,
  },
];

const selected = values.only ? attacks.filter((attack) => values.only!.split(",").some((name) => attack.name.startsWith(name))) : attacks;

async function main() {
  const loadAtStart = os.loadavg()[0]!;
  const rtmpPort = await freePort();
  const server = await startServer({
    env: {
      CANOPY_ADMIN_USERNAME: "benchstaff",
      CANOPY_ADMIN_PASSWORD: "bench-staff-password",
      APPS_SUSPEND_AFTER_VIOLATIONS: "100000",
      CHAT_RATE_LIMIT_MESSAGES: "1000000",
      RTMP_PORT: String(rtmpPort),
      RTMP_HOST: "127.0.0.1",
      RENDER_ENABLED: "false",
    },
  });
  const staff = new TestClient(server.url);
  const chatter = new TestClient(server.url);
  const streamer = new TestClient(server.url);
  const publishers: ReturnType<typeof publish>[] = [];
  let socket: Socket | undefined;
  try {
    if (!(await staff.signIn("benchstaff", "bench-staff-password"))) throw new Error("staff sign-in failed");
    await chatter.mutation("account.signUp", { username: "bench_chatter", password: "bench-chatter-password" });
    await chatter.signIn("bench_chatter", "bench-chatter-password");
    await streamer.mutation("account.signUp", { username: "bench_caster", password: "bench-caster-password" });
    await streamer.signIn("bench_caster", "bench-caster-password");
    await staff.mutation("chat.createChannel", { name: "benchroom" });

    const deploy = async (appId: string, bundle: Bundle) => {
      const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ actions: [{ name: "set_js_app", args: { bundle } }] }) });
      if (response.status !== 200) throw new Error(`deploy ${appId}: ${response.status} ${await response.text()}`);
    };
    await staff.mutation("apps.create", { id: "control", name: "control" });
    await waitFor(async () => {
      await deploy("control", bundleOf("ping", "export function ping() { return { body: { pong: true } }; }", { endpoints: { "/ping": endpoint("ping") } })).catch(() => undefined);
      return (await fetch(`${server.url}/apps/control/api/ping`)).status === 200;
    }, 60_000, 500);

    const key = (await streamer.mutation<{ streamKey: string }>("streams.rotateKey")).data!.streamKey;
    publishers.push(publish(rtmpPort, key));
    const streamStatus = async () => ((await (await fetch(`${server.url}/api/external/getStreamStatus?username=bench_caster`)).json()) as { streamStatus: string }).streamStatus;
    await waitFor(async () => (await streamStatus()) === "ONLINE", 30_000, 250);

    socket = await connectNamespace(server.url, "/chat", chatter.cookieHeader());
    const chat = socket;
    await new Promise((resolve) => chat.emit("join", { channel: "benchroom" }, resolve));

    const workerPids = new Set<number>();
    /** The platform under watch for one window: control, chat, status, stream, worker pid. */
    async function observe(durationMs: number) {
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), durationMs);
      const chatLatencies: number[] = [];
      let chatErrors = 0;
      const chatLoop = (async () => {
        let n = 0;
        while (!stop.signal.aborted) {
          const sent = performance.now();
          const answer = await Promise.race([
            new Promise<{ data?: unknown; error?: unknown }>((resolve) => chat.emit("message", { type: "channel", target: "benchroom", text: `m${n++}` }, resolve)),
            sleep(30_000).then(() => ({ error: "timeout" })),
          ]);
          if (answer.error) chatErrors++;
          else chatLatencies.push(performance.now() - sent);
        }
      })();
      let streamNotOnline = 0;
      let streamSamples = 0;
      const watchLoop = (async () => {
        while (!stop.signal.aborted) {
          const pid = workerPidOf(server.process.pid!);
          if (pid) workerPids.add(pid);
          const status = await streamStatus().catch(() => "unreachable");
          streamSamples++;
          if (status !== "ONLINE") streamNotOnline++;
          await sleep(500);
        }
      })();
      const [control, external] = await Promise.all([
        httpLoad({ url: `${server.url}/apps/control/api/ping`, concurrency: 2, durationMs, signal: stop.signal }),
        httpLoad({ url: `${server.url}/api/external/`, concurrency: 1, durationMs, signal: stop.signal }),
        chatLoop,
        watchLoop,
      ]);
      clearTimeout(timer);
      return {
        controlP99Ms: control.p99Ms,
        controlErrors: control.errors,
        chatP99Ms: round(percentile(chatLatencies, 99), 2),
        chatErrors,
        externalP99Ms: external.p99Ms,
        externalErrors: external.errors,
        streamSamples,
        streamNotOnline,
      };
    }

    await observe(2000); // warm-up
    const baseline = await observe(windowMs);
    type ClassResult = Awaited<ReturnType<typeof observe>> & { attack: string; seen: string; ratios: Record<"control" | "chat" | "external", number>; attackAnswers: Record<number, number>; attackConnectionErrors: number };
    const results: ClassResult[] = [];
    for (const attack of selected) {
      const appId = `atk-${attack.name}`.slice(0, 40);
      await staff.mutation("apps.create", { id: appId, name: attack.name });
      await deploy(appId, attack.bundle);
      const stop = new AbortController();
      const attackRun = Promise.all([
        httpLoad({ url: `${server.url}/apps/${appId}/api${attack.path}`, concurrency: attack.concurrency, durationMs: windowMs + 60_000, signal: stop.signal }),
        attack.alongside?.({ staff, appId, signal: stop.signal }),
      ]);
      await sleep(500); // let the attack start before measuring
      const during = await observe(windowMs);
      stop.abort();
      const [attackAnswers] = await attackRun;
      await staff.mutation("appRuntime.stop", { appId, reason: "benchmark window over" });
      // The next class starts from a platform at rest.
      await waitFor(async () => (await fetch(`${server.url}/apps/control/api/ping`)).status === 200, 30_000, 200);
      results.push({
        attack: attack.name,
        seen: attack.seen,
        ...during,
        ratios: {
          control: round(during.controlP99Ms / baseline.controlP99Ms, 2),
          chat: round(during.chatP99Ms / baseline.chatP99Ms, 2),
          external: round(during.externalP99Ms / baseline.externalP99Ms, 2),
        },
        attackAnswers: attackAnswers.statuses,
        attackConnectionErrors: attackAnswers.errors - Object.entries(attackAnswers.statuses).reduce((sum, [status, count]) => sum + (status === "200" ? 0 : count), 0),
      });
    }
    const after = await observe(windowMs);
    const streamAlive = publishers[0]!.child.exitCode === null && (await streamStatus()) === "ONLINE";
    const worst = (key: "control" | "chat" | "external") => Math.max(...results.map((result) => result.ratios[key]));
    const report = {
      bench: "containment",
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage1m: { start: round(loadAtStart, 2), end: round(os.loadavg()[0]!, 2) } },
      windowSeconds: windowMs / 1000,
      baseline,
      attacks: results,
      afterAll: after,
      summary: {
        worstRatio: { control: worst("control"), chat: worst("chat"), external: worst("external") },
        target: "≤ 2× baseline p99 for every class",
        classesWithin2x: results.filter((result) => Math.max(result.ratios.control, result.ratios.chat, result.ratios.external) <= 2).length,
        classes: results.length,
        workerRestarts: workerPids.size - 1,
        liveStreamsLost: streamAlive && results.every((result) => result.streamNotOnline === 0) ? 0 : 1,
      },
    };
    printReport(report, values.out);
  } finally {
    socket?.close();
    await killAll(publishers);
    await server.stop();
  }
}

await main();
