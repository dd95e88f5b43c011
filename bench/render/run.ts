// npm run bench:render — the render farm through the whole stack (REST → server → bus → worker →
// Chromium → screencast → bus → /render socket), on this machine. Prints JSON:
//   animated / still: frames/s and bytes/s at 1280×720 q60 (target ≥ 25 fps animated, < 1 fps still);
//   input → next frame latency p50/p95 (target p95 < 100 ms);
//   memory: PSS of the worker and its Chromium per extra session at 1, 5 and 10 sessions (target < 120 MB);
//   create → first frame from a warm pool (target < 1 s).
// A fixture server stands in for Canopy's public origin so the pages are deterministic. One
// browser, sessions closed as it goes; everything is stopped at the end.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { parseArgs } from "node:util";
import { io, type Socket } from "socket.io-client";
import { startServer, waitFor, type RunningServer } from "../../tests/helpers/server";
import { TestClient } from "../../tests/helpers/http-client";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    clicks: { type: "string", default: "40" },
    sessions: { type: "string", default: "1,5,10" },
    creates: { type: "string", default: "5" },
  },
});
const seconds = Number(values.seconds);
const clicks = Number(values.clicks);
const sessionSteps = values.sessions.split(",").map(Number);
const creates = Number(values.creates);
const maxSessions = Math.max(...sessionSteps) + 1;

const pages: Record<string, string> = {
  // A full-screen animation: every frame differs, as a playing video would.
  "/a/bench/animated": `<body style="margin:0;overflow:hidden;font:40px sans-serif"><canvas id=c width=1280 height=720></canvas><script>
    const g=c.getContext("2d");let t=0;(function f(){t++;g.fillStyle="hsl("+(t%360)+",60%,50%)";g.fillRect(0,0,1280,720);
    for(let i=0;i<40;i++){g.fillStyle="hsl("+((t*3+i*9)%360)+",70%,"+(30+i)+"%)";g.fillRect((t*7+i*53)%1280,(i*37+t*2)%720,120,80)}
    g.fillStyle="#fff";g.fillText("frame "+t,40,60);requestAnimationFrame(f)})()</script></body>`,
  "/a/bench/still": `<body style="margin:0;font:20px sans-serif;padding:40px"><h1>A still page</h1><p>${"Nothing moves here. ".repeat(80)}</p></body>`,
  "/a/bench/click": `<body style="margin:0;height:100vh;background:#fff" onclick="document.body.style.background=document.body.style.background==='black'?'#fff':'black'"></body>`,
};

type Frame = { image: Buffer; size: number; seq: number };
type Watcher = { socket: Socket; frames: Array<{ at: number; size: number; seq: number }>; subscribed: Promise<unknown> };

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** PSS (kB → MB) of a process and all its descendants, from /proc. */
function treePssMb(root: number): { mb: number; processes: number } {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let kb = 0;
  let processes = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      kb += Number(rollup.match(/^Pss:\s+(\d+)/m)?.[1] ?? 0);
      processes += 1;
    } catch {
      // gone meanwhile
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return { mb: kb / 1024, processes };
}

function workerPid(server: RunningServer): number {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === server.process.pid && fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("worker/index.ts")) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error("worker process not found");
}

async function main() {
  const fixture = http.createServer((request, response) => {
    const page = pages[request.url ?? ""];
    if (!page) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><html><head><title>bench</title></head>${page}</html>`);
  });
  await new Promise<void>((resolve) => fixture.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(fixture.address() as AddressInfo).port}`;

  const server = await startServer({
    env: {
      CANOPY_PUBLIC_URL: origin,
      RENDER_WARM_POOL: "1",
      RENDER_MAX_SESSIONS: String(maxSessions),
      RENDER_SESSIONS_PER_USER: String(maxSessions),
      CANOPY_ADMIN_USERNAME: "bench_staff",
      CANOPY_ADMIN_PASSWORD: "bench-staff-password",
    },
  });
  const sockets: Socket[] = [];
  try {
    const client = new TestClient(server.url);
    await client.signIn("bench_staff", "bench-staff-password");
    await waitFor(async () => (await fetch(`${server.url}/render/health`)).status === 200, 60_000, 250);

    const request = async (method: string, path: string, body?: unknown) => {
      const response = await client.fetch(path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const create = async (body: Record<string, unknown>) => (await request("POST", "/render/api/session/create", body)).session_id as string;
    const close = (id: string) => request("POST", `/render/api/session/${id}/close`);
    const watch = (sessionId: string): Watcher => {
      const socket = io(`${server.url}/render`, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie: client.cookieHeader() } });
      sockets.push(socket);
      const frames: Watcher["frames"] = [];
      socket.on("frame", (frame: Frame) => frames.push({ at: performance.now(), size: frame.size, seq: frame.seq }));
      const subscribed = new Promise((resolve) => socket.once("subscribed", resolve));
      socket.on("connect", () => socket.emit("subscribe", { session_id: sessionId, binary: true }));
      return { socket, frames, subscribed };
    };
    const settings = { width: 1280, height: 720, quality: 60, fps: 30, adaptive: false };

    // 1. Animated and still pages: frames/s and bytes/s over `seconds`.
    async function stream(path: string) {
      const id = await create({ ...settings, url: origin + path });
      const watcher = watch(id);
      await watcher.subscribed;
      await sleep(1500);
      const from = watcher.frames.length;
      const started = performance.now();
      await sleep(seconds * 1000);
      const window = watcher.frames.slice(from);
      const elapsed = (performance.now() - started) / 1000;
      watcher.socket.close();
      await close(id);
      const bytes = window.reduce((sum, frame) => sum + frame.size, 0);
      return { fps: round(window.length / elapsed), bytesPerSecond: Math.round(bytes / elapsed), meanFrameBytes: window.length ? Math.round(bytes / window.length) : 0 };
    }
    const animated = await stream("/a/bench/animated");
    const still = await stream("/a/bench/still");

    // 2. Input → next frame: clicks on a page that changes colour on every click (and is otherwise still).
    const clickId = await create({ ...settings, url: origin + "/a/bench/click" });
    const clickWatcher = watch(clickId);
    await clickWatcher.subscribed;
    await sleep(1000);
    const latencies: number[] = [];
    for (let i = 0; i < clicks; i++) {
      const before = clickWatcher.frames.length;
      const sent = performance.now();
      clickWatcher.socket.emit("input:click", { x: 640, y: 360 });
      try {
        await waitFor(() => clickWatcher.frames.length > before, 2000, 1);
        latencies.push(clickWatcher.frames[before]!.at - sent);
      } catch {
        latencies.push(2000);
      }
      await sleep(150);
    }
    clickWatcher.socket.close();
    await close(clickId);

    // 3. Create → first frame from the warm pool: a blank session, and one opening a Canopy page.
    async function firstFrame(url?: string) {
      const samples: Array<{ createMs: number; firstFrameMs: number }> = [];
      for (let i = 0; i < creates; i++) {
        await sleep(800); // let the pool refill
        const started = performance.now();
        const id = await create({ ...settings, ...(url ? { url } : {}) });
        const created = performance.now();
        const watcher = watch(id);
        await waitFor(() => watcher.frames.length > 0, 10_000, 1);
        samples.push({ createMs: created - started, firstFrameMs: watcher.frames[0]!.at - started });
        watcher.socket.close();
        await close(id);
      }
      const total = samples.map((sample) => sample.firstFrameMs);
      return { p50Ms: Math.round(percentile(total, 50)), maxMs: Math.round(Math.max(...total)), createP50Ms: Math.round(percentile(samples.map((s) => s.createMs), 50)) };
    }
    const blankFirstFrame = await firstFrame();
    const pageFirstFrame = await firstFrame("/c/bench");

    // 4. Memory: PSS of the worker and its Chromium tree with N sessions showing a Canopy page.
    const worker = workerPid(server);
    await sleep(1500);
    const baseline = treePssMb(worker);
    const memory: Array<{ sessions: number; pssMb: number; perExtraSessionMb: number; processes: number }> = [];
    const open: string[] = [];
    for (const step of sessionSteps) {
      while (open.length < step) open.push(await create({ width: 1280, height: 720, url: "/c/bench" }));
      await sleep(2500);
      const measured = treePssMb(worker);
      memory.push({ sessions: step, pssMb: round(measured.mb), perExtraSessionMb: round((measured.mb - baseline.mb) / step), processes: measured.processes });
    }
    for (const id of open) await close(id);

    const latency = { p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), samples: latencies.length };
    const result = {
      machine: { cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0]!, 2), totalMemoryMb: Math.round(os.totalmem() / 2 ** 20) },
      settings: { viewport: "1280x720", quality: 60, fpsCap: 30, measureSeconds: seconds },
      animated,
      still,
      inputToFrame: latency,
      createToFirstFrame: { blankPage: blankFirstFrame, canopyPage: pageFirstFrame },
      memory: { baselinePssMb: round(baseline.mb), baselineProcesses: baseline.processes, steps: memory },
      targets: {
        animatedFps25: animated.fps >= 25,
        stillUnder1Fps: still.fps < 1,
        inputP95Under100Ms: latency.p95Ms < 100,
        under120MbPerSession: memory.every((step) => step.perExtraSessionMb < 120),
        firstFrameUnder1s: blankFirstFrame.p50Ms < 1000,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    fs.mkdirSync("bench/results", { recursive: true });
    fs.writeFileSync(`bench/results/render-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, JSON.stringify(result, null, 2));
  } finally {
    for (const socket of sockets) socket.close();
    await server.stop();
    fixture.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
