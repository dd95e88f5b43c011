// npm run bench:ingest [-- --streams 16 --window 15 --warmup 4 --stagger 0]
// Publishes N concurrent pre-encoded RTMP streams (ffmpeg -re -stream_loop -1 -c copy) into the
// ingest, which runs in its own process (bench/ingest/host.ts) as in the worker, and prints JSON:
// - publish → first live playlist (from the publisher's start and from its key check);
// - CPU (fraction of one core, from /proc/<pid>/stat over a steady window) and RSS of the ingest
//   process, of its HLS ffmpeg jobs and of its short jobs (thumbnails); publishers separately;
// - how far the newest live segment trails the publisher: the publisher's own output clock
//   (ffmpeg -progress out_time) at the moment the playlist gained a segment, minus the media time
//   the playlist then covered;
// - whether any stream key appeared in the ingest's output.
// Every child is killed at the end, also on failure or timeout.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parsePlaylist } from "../../worker/ingest/hls-playlist";
import type { HostMessage, RunMessage } from "./host";

const { values } = parseArgs({
  options: {
    streams: { type: "string", default: "16" },
    window: { type: "string", default: "15" },
    warmup: { type: "string", default: "4" },
    stagger: { type: "string", default: "0" },
    timeout: { type: "string", default: "150" },
  },
});
const streamCount = Math.max(1, Number(values.streams));
const windowSeconds = Math.max(5, Number(values.window));
const warmupSeconds = Math.max(0, Number(values.warmup));
const staggerMs = Math.max(0, Number(values.stagger));
const ffmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";
const clkTck = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
const pageSize = Number(execFileSync("getconf", ["PAGESIZE"]).toString().trim()) || 4096;
const segmentSeconds = Number(process.env.HLS_SEGMENT_SECONDS ?? 1);

const children: ChildProcess[] = [];
let host: ChildProcess | undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-bench-ingest-"));

// ---- helpers --------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
function quantile(samples: number[], q: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const summary = (samples: number[], digits = 3) => ({ p50: round(quantile(samples, 0.5), digits), p95: round(quantile(samples, 0.95), digits), max: round(Math.max(...samples), digits) });

type ProcSample = { ticks: number; childTicks: number; rssBytes: number };
function procSample(pid: number | undefined): ProcSample | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
    return {
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
      rssBytes: Number(fields[21]) * pageSize,
    };
  } catch {
    return undefined;
  }
}
/** Proportional set size: shared pages (ffmpeg's libraries) split among the processes using them. */
function pssBytes(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function machineBusyTicks(): { busy: number; total: number } {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + (cpu[4] ?? 0);
  const total = cpu.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

async function preEncodeClip(): Promise<string> {
  const clip = path.join(os.tmpdir(), "canopy-bench-ingest-clip-640x360-v1.flv");
  if (fs.existsSync(clip) && fs.statSync(clip).size > 100_000) return clip;
  const temp = `${clip}.${process.pid}.tmp`;
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"];
  args.push("-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-b:v", "1000k", "-pix_fmt", "yuv420p");
  args.push("-c:a", "aac", "-b:a", "96k", "-f", "flv", "-y", temp);
  const encoder = spawn(ffmpeg, args, { stdio: "ignore" });
  children.push(encoder);
  const code = await new Promise<number | null>((resolve) => encoder.on("exit", resolve));
  if (code !== 0) throw new Error("could not pre-encode the clip");
  fs.renameSync(temp, clip);
  return clip;
}

// ---- the ingest host ------------------------------------------------------------------------------

const hostOutput: string[] = [];
const keyChecks = new Map<number, number>();
const onlineAt = new Map<string, number>();
let streamsReply: ((streams: Extract<HostMessage, { type: "streams" }>["streams"]) => void) | undefined;

async function startHost(): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/ingest/host.ts"], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    detached: true,
    env: { ...process.env, DATA_DIR: dataDir, RTMP_PORT: "0", RTMP_HOST: "127.0.0.1", LOG_LEVEL: "debug", RTMP_MAX_CONNECTIONS: String(streamCount + 16) },
  });
  host = child;
  child.stdout!.on("data", (chunk: Buffer) => hostOutput.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => hostOutput.push(chunk.toString()));
  return new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`ingest host exited (${code}): ${hostOutput.join("").slice(-500)}`)));
    child.on("message", (message: HostMessage) => {
      if (message.type === "ready") resolve(message.port);
      else if (message.type === "keyCheck") keyChecks.set(message.key, message.at);
      else if (message.type === "told" && message.prompt === "setOnline" && message.publicId && !onlineAt.has(message.publicId)) onlineAt.set(message.publicId, message.at);
      else if (message.type === "streams") streamsReply?.(message.streams);
    });
  });
}

function hostStreams(): Promise<Extract<HostMessage, { type: "streams" }>["streams"]> {
  const reply = new Promise<Extract<HostMessage, { type: "streams" }>["streams"]>((resolve) => {
    streamsReply = resolve;
    host?.send({ type: "streams" } satisfies RunMessage);
  });
  return Promise.race([reply, sleep(5000).then(() => [])]);
}

// ---- publishers ---------------------------------------------------------------------------------

type Publisher = { n: number; publicId: string; child: ChildProcess; spawnedAt: number; progress: { outSeconds: number; at: number }[] };

function startPublisher(n: number, port: number, clip: string): Publisher {
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy"];
  args.push("-progress", "pipe:1", "-stats_period", "0.2", "-f", "flv", `rtmp://127.0.0.1:${port}/live/benchkey${n}`);
  const child = spawn(ffmpeg, args, { stdio: ["ignore", "pipe", "ignore"] });
  children.push(child);
  const publisher: Publisher = { n, publicId: `benchpub${String(n).padStart(4, "0")}`, child, spawnedAt: Date.now(), progress: [] };
  let buffered = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("out_time_us=")) continue;
      const micros = Number(line.slice(12));
      if (Number.isFinite(micros) && micros > 0) {
        publisher.progress.push({ outSeconds: micros / 1e6, at: Date.now() });
        if (publisher.progress.length > 100) publisher.progress.splice(0, 50);
      }
    }
  });
  return publisher;
}

/** The publisher's output clock at wall time `at`, extrapolated from its latest report before it. */
function publisherClock(publisher: Publisher, at: number): number | undefined {
  const before = publisher.progress.filter((sample) => sample.at <= at).at(-1);
  return before ? before.outSeconds + (at - before.at) / 1000 : undefined;
}

// ---- run ------------------------------------------------------------------------------------------

async function cleanup(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (host && host.exitCode === null && host.signalCode === null) {
    host.send({ type: "stop" } satisfies RunMessage);
    const exited = new Promise((resolve) => host!.once("exit", resolve));
    if (!(await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]))) host.kill("SIGKILL");
  }
  try {
    if (host?.pid) process.kill(-host.pid, "SIGKILL"); // anything left in the host's process group
  } catch {
    // Already gone.
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

async function run() {
  const clip = await preEncodeClip();
  const clipBytes = fs.statSync(clip).size;
  const port = await startHost();
  const hostPid = host!.pid!;
  const publishers: Publisher[] = [];
  for (let n = 1; n <= streamCount; n++) {
    publishers.push(startPublisher(n, port, clip));
    if (staggerMs) await sleep(staggerMs);
  }

  // First playlist of each stream, and every new segment after it (for the lag).
  const firstPlaylistAt = new Map<string, number>();
  const seen = new Map<string, { uris: Set<string>; mediaEnd: number; mtime: number }>();
  const lagSamples: number[] = [];
  let measuringLag = false;
  let polling = true;
  const poll = async () => {
    while (polling) {
      const now = Date.now();
      for (const publisher of publishers) {
        const file = path.join(dataDir, "media", "live", publisher.publicId, "index.m3u8");
        if (!firstPlaylistAt.has(publisher.publicId)) {
          if (fs.existsSync(file)) firstPlaylistAt.set(publisher.publicId, now);
          else continue;
        }
        let stat: fs.Stats;
        let text: string;
        try {
          stat = fs.statSync(file);
          text = fs.readFileSync(file, "utf8");
        } catch {
          continue;
        }
        const state = seen.get(publisher.publicId) ?? { uris: new Set<string>(), mediaEnd: 0, mtime: 0 };
        seen.set(publisher.publicId, state);
        if (stat.mtimeMs === state.mtime) continue;
        state.mtime = stat.mtimeMs;
        let added = false;
        for (const segment of parsePlaylist(text).segments) {
          if (state.uris.has(segment.uri)) continue;
          state.uris.add(segment.uri);
          state.mediaEnd += segment.duration;
          added = true;
        }
        const clock = publisherClock(publisher, stat.mtimeMs);
        if (added && measuringLag && clock !== undefined) lagSamples.push(clock - state.mediaEnd);
      }
      await sleep(firstPlaylistAt.size < publishers.length ? 20 : 200);
    }
  };
  const polled = poll();

  const deadline = Date.now() + 20_000;
  while (firstPlaylistAt.size < publishers.length && Date.now() < deadline) await sleep(100);
  const missing = publishers.filter((publisher) => !firstPlaylistAt.has(publisher.publicId)).length;

  await sleep(warmupSeconds * 1000);
  measuringLag = true;
  const streamsBefore = await hostStreams();
  const jobPids = new Map(streamsBefore.map((stream) => [stream.publicId, stream.jobPid]));
  const before = {
    host: procSample(hostPid),
    jobs: new Map([...jobPids].map(([publicId, pid]) => [publicId, procSample(pid)])),
    publishers: new Map(publishers.map((publisher) => [publisher.publicId, procSample(publisher.child.pid)])),
    machine: machineBusyTicks(),
    at: Date.now(),
  };
  await sleep(windowSeconds * 1000);
  const elapsed = (Date.now() - before.at) / 1000;
  const afterHost = procSample(hostPid);
  const machine = machineBusyTicks();
  const streamsAfter = await hostStreams();
  measuringLag = false;
  polling = false;
  await polled;

  const cores = (from?: ProcSample, to?: ProcSample) => (from && to ? (to.ticks - from.ticks) / clkTck / elapsed : Number.NaN);
  const jobCores: number[] = [];
  const jobRss: number[] = [];
  const jobPss: number[] = [];
  let jobRestarts = 0;
  for (const stream of streamsAfter) {
    if (stream.jobPid !== jobPids.get(stream.publicId)) {
      jobRestarts += 1;
      continue;
    }
    const from = before.jobs.get(stream.publicId);
    const to = procSample(stream.jobPid);
    if (from && to) {
      jobCores.push(cores(from, to));
      jobRss.push(to.rssBytes);
      jobPss.push(pssBytes(stream.jobPid));
    }
  }
  const publisherCores = publishers.map((publisher) => cores(before.publishers.get(publisher.publicId), procSample(publisher.child.pid))).filter(Number.isFinite);
  const publisherRss = publishers.map((publisher) => procSample(publisher.child.pid)?.rssBytes ?? 0);
  const hostCores = cores(before.host, afterHost);
  const shortJobCores = before.host && afterHost ? (afterHost.childTicks - before.host.childTicks) / clkTck / elapsed : Number.NaN;
  const jobTotal = jobCores.reduce((sum, value) => sum + value, 0);
  const ingestTotal = hostCores + jobTotal + shortJobCores;
  const mib = (bytes: number) => round(bytes / 1048576, 1);

  const fromSpawn = publishers.flatMap((publisher) => (firstPlaylistAt.has(publisher.publicId) ? [firstPlaylistAt.get(publisher.publicId)! - publisher.spawnedAt] : []));
  const fromKeyCheck = publishers.flatMap((publisher) =>
    firstPlaylistAt.has(publisher.publicId) && keyChecks.has(publisher.n) ? [firstPlaylistAt.get(publisher.publicId)! - keyChecks.get(publisher.n)!] : [],
  );
  const onlineFromKeyCheck = publishers.flatMap((publisher) =>
    onlineAt.has(publisher.publicId) && keyChecks.has(publisher.n) ? [onlineAt.get(publisher.publicId)! - keyChecks.get(publisher.n)!] : [],
  );
  const thumbnails = fs.existsSync(path.join(dataDir, "media", "thumbs")) ? fs.readdirSync(path.join(dataDir, "media", "thumbs")).filter((name) => name.endsWith(".jpg")).length : 0;

  // End: publishers go away, the ingest closes playlists and recordings, then stops.
  for (const publisher of publishers) publisher.child.kill("SIGKILL");
  const output = hostOutput.join("");
  const keyInLogs = publishers.some((publisher) => output.includes(`benchkey${publisher.n}`));

  return {
    benchmark: "ingest",
    node: process.version,
    ffmpeg: execFileSync(ffmpeg, ["-version"]).toString().split("\n")[0],
    machine: { cores: os.cpus().length, loadavg1: round(os.loadavg()[0]!, 2), busyCoresDuringWindow: round(((machine.busy - before.machine.busy) / (machine.total - before.machine.total)) * os.cpus().length, 2) },
    config: {
      streams: streamCount,
      clip: { description: "lavfi testsrc 640x360 25 fps, x264 1 s GOP ~1 Mbps, aac 96 kbps, 10 s, looped", kbps: Math.round((clipBytes * 8) / 10 / 1000) },
      segmentSeconds,
      staggerMs,
      warmupSeconds,
      windowSeconds: round(elapsed, 1),
    },
    firstPlaylistMs: {
      streamsWithPlaylist: firstPlaylistAt.size,
      missing,
      fromPublisherStart: summary(fromSpawn, 0),
      fromKeyCheck: summary(fromKeyCheck, 0),
      setOnlineFromKeyCheck: summary(onlineFromKeyCheck, 0),
      target: 2500,
      pass: missing === 0 && Math.max(...fromKeyCheck) < 2500,
    },
    cpuCores: {
      ingestProcess: round(hostCores),
      hlsJobs: { total: round(jobTotal), perStreamMean: round(jobTotal / Math.max(1, jobCores.length), 4), perStreamMax: round(Math.max(...jobCores), 4) },
      shortJobs: round(shortJobCores),
      ingestTotal: round(ingestTotal),
      ingestPerStream: round(ingestTotal / streamCount, 4),
      target: 0.5,
      pass: ingestTotal < 0.5,
      publishersExcluded: { total: round(publisherCores.reduce((sum, value) => sum + value, 0)), perStreamMean: round(publisherCores.reduce((sum, value) => sum + value, 0) / Math.max(1, publisherCores.length), 4) },
    },
    rssMiB: {
      ingestProcess: mib(afterHost?.rssBytes ?? 0),
      hlsJobs: { total: mib(jobRss.reduce((sum, value) => sum + value, 0)), perStreamMean: mib(jobRss.reduce((sum, value) => sum + value, 0) / Math.max(1, jobRss.length)), perStreamMax: mib(Math.max(...jobRss)) },
      publishersExcluded: { total: mib(publisherRss.reduce((sum, value) => sum + value, 0)) },
    },
    pssMiB: {
      note: "RSS counts the shared ffmpeg libraries in every process; PSS splits them",
      ingestProcess: mib(pssBytes(hostPid)),
      hlsJobs: { total: mib(jobPss.reduce((sum, value) => sum + value, 0)), perStreamMean: mib(jobPss.reduce((sum, value) => sum + value, 0) / Math.max(1, jobPss.length)) },
    },
    playlistLagSeconds: {
      definition: "publisher output clock when the live playlist gained a segment, minus the media time that playlist covered",
      samples: lagSamples.length,
      ...summary(lagSamples),
    },
    thumbnails,
    jobRestarts,
    keyInLogs,
  };
}

process.on("SIGINT", () => void cleanup().finally(() => process.exit(130)));
const overall = setTimeout(() => {
  console.error(`bench:ingest timed out after ${values.timeout} s`);
  void cleanup().finally(() => process.exit(1));
}, Number(values.timeout) * 1000);

try {
  const result = await run();
  await cleanup();
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await cleanup();
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
}
