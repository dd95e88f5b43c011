// The worker's RTMP ingest, in-process against a fake server end of the internal bus, with real
// ffmpeg publishers: key check, HLS and recording, drops, crashes, garbage, and the stream key
// kept out of file names, files and logs. (Full-stack tests with the real server live elsewhere.)
process.env.LOG_LEVEL = "debug"; // so the key-leak check also covers debug lines

import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mediaPaths } from "../../server/streams/media-paths";
import { parsePlaylist } from "../../worker/ingest/hls-playlist";
import { ffprobeStreams, killAll, listFiles, publish, startIngest, waitUntil, type IngestHarness, type Publisher } from "../helpers/ingest";

const usedKeys: string[] = [];
function newKey(): string {
  const key = `sk_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  usedKeys.push(key);
  return key;
}

// Everything the process prints while these tests run, to prove no stream key is among it.
const output: string[] = [];
const restore: (() => void)[] = [];
beforeAll(() => {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      output.push(args.map(String).join(" "));
    };
    restore.push(() => (console[method] = original));
  }
});
afterAll(() => {
  for (const undo of restore) undo();
});

const harnesses: IngestHarness[] = [];
const publishers: Publisher[] = [];
async function ingest(options: Parameters<typeof startIngest>[0] = {}): Promise<IngestHarness> {
  const harness = await startIngest(options);
  harnesses.push(harness);
  return harness;
}
function publisher(...args: Parameters<typeof publish>): Publisher {
  const started = publish(...args);
  publishers.push(started);
  return started;
}
afterEach(async () => {
  await killAll(publishers.splice(0));
  for (const harness of harnesses.splice(0)) await harness.stop();
});

let acceptedInProcess = false;
function allow(harness: IngestHarness, channel: string, publicId: string): string {
  acceptedInProcess = true;
  const key = newKey();
  harness.keys.set(key, { exists: true, allowed: true, channel, publicId });
  return key;
}

function childPids(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1] === String(process.pid);
      } catch {
        return false;
      }
    });
}

describe("rtmp ingest", () => {
  it("refuses an unknown key within 1 s, and a server that does not answer in time", async () => {
    const harness = await ingest();
    const unknown = publisher(harness.port, newKey());
    const exit = await unknown.exited;
    expect(exit.code).not.toBe(0);
    expect(harness.keyChecks).toHaveLength(1);
    expect(exit.at - harness.keyChecks[0]!.at).toBeLessThan(1000);

    const silentKey = newKey();
    harness.keys.set(silentKey, "never");
    const unanswered = publisher(harness.port, silentKey);
    const silentExit = await unanswered.exited;
    expect(silentExit.code).not.toBe(0);
    expect(silentExit.at - harness.keyChecks[1]!.at).toBeLessThan(1500);

    expect(harness.told.filter((entry) => entry.prompt === "setOnline")).toHaveLength(0);
    expect(listFiles(path.join(harness.dataDir, "media"))).toEqual([]);
  });

  it("publishes HLS under the public id, refuses a second publisher, and closes the stream with a VOD", async () => {
    const harness = await ingest();
    const key = allow(harness, "alice", "alicepublic01");
    const paths = mediaPaths(harness.dataDir);
    const livePlaylist = path.join(paths.liveDir("alicepublic01"), "index.m3u8");

    const first = publisher(harness.port, key);
    const online = await harness.waitForTold("setOnline", (data) => data.publicId === "alicepublic01", 6000);
    expect(online.data).toMatchObject({ channel: "alice", workerId: "test" });
    expect(online.at - first.startedAt).toBeLessThan(4000);
    const streams = await ffprobeStreams(livePlaylist);
    expect(streams.map((stream) => stream.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(streams.find((stream) => stream.codec_type === "video")).toMatchObject({ width: 320, height: 240 });

    // A second publisher of the live channel is refused; the first keeps going.
    const second = publisher(harness.port, key);
    expect((await second.exited).code).not.toBe(0);
    expect(harness.service.liveStreams()).toHaveLength(1);

    const stats = await harness.waitForTold("streamStats", (data) => data.bitrateKbps > 0);
    expect(stats.data).toMatchObject({ publicId: "alicepublic01", width: 320, height: 240, fps: 25, videoCodec: "h264", audioCodec: "aac" });
    const thumbnail = await waitUntil(() => fs.existsSync(paths.thumbnail("alicepublic01")) && fs.readFileSync(paths.thumbnail("alicepublic01")), 8000);
    expect([...thumbnail.subarray(0, 2)]).toEqual([0xff, 0xd8]);

    // A clean end after a few seconds: the publisher unpublishes.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, online.at + 3000 - Date.now())));
    first.child.kill("SIGINT");
    const offline = await harness.waitForTold("setOffline");
    expect(offline.data).toMatchObject({ publicId: "alicepublic01", reason: "ended" });
    const vod = await harness.waitForTold("vodReady");
    expect(vod.data).toMatchObject({ channel: "alice", publicId: "alicepublic01" });
    expect(vod.data.durationSeconds).toBeGreaterThan(2);
    const vodDir = paths.vodDir(vod.data.vodId);
    const vodPlaylist = parsePlaylist(fs.readFileSync(path.join(vodDir, "index.m3u8"), "utf8"));
    expect(vodPlaylist).toMatchObject({ ended: true, type: "VOD" });
    expect(fs.existsSync(path.join(vodDir, "poster.jpg"))).toBe(true);
    expect((await ffprobeStreams(path.join(vodDir, "index.m3u8"))).length).toBe(2);

    // The live window is closed with ENDLIST, then removed.
    await waitUntil(() => !fs.existsSync(paths.liveDir("alicepublic01")), 5000);
    assertNoKeyOnDisk(harness.dataDir);
  });

  it("marks a killed publisher OFFLINE (dropped) quickly and keeps its recording", async () => {
    const harness = await ingest();
    const key = allow(harness, "bob", "bobpublic0001");
    const live = publisher(harness.port, key);
    await harness.waitForTold("setOnline", undefined, 6000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    live.child.kill("SIGKILL");
    const killedAt = Date.now();
    const offline = await harness.waitForTold("setOffline", undefined, 15_000);
    expect(offline.data.reason).toBe("dropped");
    expect(offline.at - killedAt).toBeLessThan(15_000);
    const vod = await harness.waitForTold("vodReady");
    expect(vod.data.durationSeconds).toBeGreaterThan(1);
    expect(parsePlaylist(fs.readFileSync(path.join(mediaPaths(harness.dataDir).vodDir(vod.data.vodId), "index.m3u8"), "utf8")).ended).toBe(true);
  });

  it("drops a frozen publisher after the idle timeout", async () => {
    const harness = await ingest({ settings: { idleTimeoutSeconds: 2 } });
    const key = allow(harness, "carol", "carolpublic01");
    const live = publisher(harness.port, key);
    await harness.waitForTold("setOnline", undefined, 6000);
    live.child.kill("SIGSTOP");
    const frozenAt = Date.now();
    try {
      const offline = await harness.waitForTold("setOffline", undefined, 10_000);
      expect(offline.data.reason).toBe("dropped");
      expect(offline.at - frozenAt).toBeLessThan(5000);
    } finally {
      live.child.kill("SIGKILL");
      live.child.kill("SIGCONT");
    }
  });

  it("restarts a crashed HLS job, then gives up and ends the stream as failed", async () => {
    const harness = await ingest({ settings: { maxRestarts: 1 } });
    const key = allow(harness, "dave", "davepublic001");
    const live = publisher(harness.port, key);
    await harness.waitForTold("setOnline", undefined, 6000);
    // Let the recording get a (4 s) segment first, so there is something to keep.
    const vodRoot = path.join(harness.dataDir, "media", "vod");
    await waitUntil(() => listFiles(vodRoot).some((file) => file.endsWith("index.m3u8")), 8000, 200);
    const firstPid = harness.service.liveStreams()[0]!.jobPid!;
    expect(childPids()).toContain(firstPid);
    process.kill(firstPid, "SIGKILL");
    const secondPid = await waitUntil(() => {
      const pid = harness.service.liveStreams()[0]?.jobPid;
      return pid !== undefined && pid !== firstPid && pid;
    }, 5000);
    // The restarted job continues the same live playlist.
    const livePlaylist = path.join(mediaPaths(harness.dataDir).liveDir("davepublic001"), "index.m3u8");
    const before = parsePlaylist(fs.readFileSync(livePlaylist, "utf8"));
    await waitUntil(() => {
      const now = parsePlaylist(fs.readFileSync(livePlaylist, "utf8"));
      return now.segments.some((segment) => segment.uri.startsWith("g2-")) && now.mediaSequence + now.segments.length > before.mediaSequence + before.segments.length;
    }, 6000);

    process.kill(secondPid, "SIGKILL");
    const offline = await harness.waitForTold("setOffline", undefined, 5000);
    expect(offline.data.reason).toBe("failed");
    expect((await live.exited).code).not.toBe(0);
    const vod = await harness.waitForTold("vodReady");
    expect(vod.data.durationSeconds).toBeGreaterThanOrEqual(4);
    expect(parsePlaylist(fs.readFileSync(path.join(vodRoot, vod.data.vodId, "index.m3u8"), "utf8")).ended).toBe(true);
  });

  it("stops a publisher when the server says ingestStop", async () => {
    const harness = await ingest();
    const key = allow(harness, "erin", "erinpublic001");
    const live = publisher(harness.port, key);
    await harness.waitForTold("setOnline", undefined, 6000);
    expect(await harness.server.ask("worker:test", "ingestStop", { publicId: "erinpublic001" })).toEqual({ stopped: true });
    expect(await harness.server.ask("worker:test", "ingestStop", { publicId: "nobodyhere01" })).toEqual({ stopped: false });
    expect((await harness.waitForTold("setOffline")).data.reason).toBe("ended");
    expect((await live.exited).code).not.toBe(0);
  });

  it("stop() ends live streams cleanly: setOffline, a closed VOD, no live window, no ffmpeg left", async () => {
    const harness = await ingest();
    const key = allow(harness, "ivan", "ivanpublic01");
    const live = publisher(harness.port, key);
    await harness.waitForTold("setOnline", undefined, 6000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const jobPid = harness.service.liveStreams()[0]!.jobPid!;
    await harness.service.stop();
    expect((await harness.waitForTold("setOffline")).data.reason).toBe("ended");
    const vod = await harness.waitForTold("vodReady");
    expect(parsePlaylist(fs.readFileSync(path.join(mediaPaths(harness.dataDir).vodDir(vod.data.vodId), "index.m3u8"), "utf8")).ended).toBe(true);
    expect(fs.existsSync(mediaPaths(harness.dataDir).liveDir("ivanpublic01"))).toBe(false);
    expect(childPids()).not.toContain(jobPid);
    expect((await live.exited).code).not.toBe(0);
  });

  it("refuses garbage, wrong applications and play requests without harm", async () => {
    const harness = await ingest();
    const key = allow(harness, "frank", "frankpublic01");
    const send = (bytes: Buffer | string) =>
      new Promise<void>((resolve) => {
        const socket = net.connect(harness.port, "127.0.0.1", () => socket.end(bytes));
        socket.on("error", () => resolve());
        socket.on("close", () => resolve());
        socket.resume();
      });
    await send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    for (let i = 0; i < 5; i++) await send(Buffer.concat([Buffer.from([3]), Buffer.from(Array.from({ length: 4000 }, () => Math.floor(Math.random() * 256)))]));
    await send(Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(Math.random() * 256))));
    // Wrong application: refused without asking the server.
    expect((await publisher(harness.port, key, { app: "other" }).exited).code).not.toBe(0);
    expect(harness.keyChecks).toHaveLength(0);

    // The service still serves, and nobody can play a stream over RTMP.
    publisher(harness.port, key);
    await harness.waitForTold("setOnline", undefined, 6000);
    const { spawn } = await import("node:child_process");
    const player = spawn("ffmpeg", ["-nostdin", "-loglevel", "error", "-rw_timeout", "5000000", "-i", `rtmp://127.0.0.1:${harness.port}/live/${key}`, "-t", "1", "-f", "null", "-"], { stdio: "ignore" });
    const playerExit = await new Promise<number | null>((resolve) => player.on("exit", resolve));
    expect(playerExit).not.toBe(0);
    expect(harness.service.health()).toBe("alive");
    expect(harness.service.liveStreams()).toHaveLength(1);
  });

  it("reconciles after a worker restart: stale live windows removed, interrupted recordings closed and announced, expired ones deleted", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-ingest-"));
    const paths = mediaPaths(dataDir);
    fs.mkdirSync(paths.liveDir("stalepublic01"), { recursive: true });
    fs.writeFileSync(path.join(paths.liveDir("stalepublic01"), "index.m3u8"), "#EXTM3U\n");
    const vodId = "0b6c9e8e-1111-4222-8333-944455556666";
    fs.mkdirSync(paths.vodDir(vodId), { recursive: true });
    fs.writeFileSync(path.join(paths.vodDir(vodId), "index.m3u8"), "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:4.000000,\ng1-00000.ts\n");
    fs.writeFileSync(path.join(paths.vodDir(vodId), "g1-00000.ts"), Buffer.alloc(1880));
    fs.writeFileSync(path.join(paths.vodDir(vodId), "g1-00001.ts.tmp"), Buffer.alloc(188));
    fs.writeFileSync(path.join(paths.vodDir(vodId), "meta.json"), JSON.stringify({ vodId, channel: "gina", publicId: "ginapublic001", sessionId: "s1", startedAt: Date.now() - 60_000 }));

    // A finished recording past VOD retention goes at start, and the server hears of it.
    const expiredId = "0b6c9e8e-2222-4222-8333-944455556666";
    fs.mkdirSync(paths.vodDir(expiredId), { recursive: true });
    fs.writeFileSync(path.join(paths.vodDir(expiredId), "meta.json"), JSON.stringify({ vodId: expiredId, channel: "gina", publicId: "ginapublic001", sessionId: "s0", startedAt: 1, endedAt: Date.now() - 40 * 86_400_000, sizeBytes: 10 }));

    const harness = await ingest({ dataDir, settings: { vodRetentionDays: 14 } });
    expect(fs.existsSync(paths.liveDir("stalepublic01"))).toBe(false);
    expect((await harness.waitForTold("vodDeleted")).data).toEqual({ vodId: expiredId });
    expect(fs.existsSync(paths.vodDir(expiredId))).toBe(false);
    const vod = await harness.waitForTold("vodReady");
    expect(vod.data).toMatchObject({ vodId, channel: "gina", durationSeconds: 4 });
    const playlist = parsePlaylist(fs.readFileSync(path.join(paths.vodDir(vodId), "index.m3u8"), "utf8"));
    expect(playlist).toMatchObject({ ended: true, type: "VOD" });
    expect(fs.existsSync(path.join(paths.vodDir(vodId), "g1-00001.ts.tmp"))).toBe(false);

    harness.service.onConnect?.();
    expect((await harness.waitForTold("ingestSessions")).data).toEqual({ workerId: "test", live: [] });
  });

  it("reports zombie while the RTMP port is taken, and recovers when it is free", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const harness = await ingest({ settings: { rtmpPort: port, listenRetrySeconds: 0.2 } });
    expect(harness.service.health()).toBe("zombie");
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await waitUntil(() => harness.service.health() === "alive", 3000);
    expect(harness.service.rtmpPort()).toBe(port);
  });

  it("runs in the real worker process: registered, alive in heartbeats, and the key never in its output", async () => {
    const http = await import("node:http");
    const { Server } = await import("socket.io");
    const { spawn } = await import("node:child_process");
    const { createBusEndpoint } = await import("../../server/internal/bus-endpoint");
    // A stand-in for the server's /internal namespace: routes envelopes like the real relay.
    const httpServer = http.createServer();
    const io = new Server(httpServer);
    const internal = io.of("/internal");
    const told: { prompt: string; data: Record<string, unknown> }[] = [];
    const fake = createBusEndpoint({ label: "web-api", send: (envelope) => void internal.to(envelope.target).emit(envelope.target, envelope) });
    const key = newKey();
    fake.handle("checkKeyExists", ({ streamKey }) =>
      streamKey === key ? { exists: true, allowed: true, channel: "hana", publicId: "hanapublic01" } : { exists: false, allowed: false, reason: "unknown-key" as const },
    );
    for (const prompt of ["heartbeat", "setOnline", "setOffline", "vodReady", "ingestSessions", "streamStats", "setLurking"] as const) {
      fake.handle(prompt, (data: unknown) => void told.push({ prompt, data: data as Record<string, unknown> }));
    }
    internal.on("connection", (socket) => {
      void socket.join(String(socket.handshake.auth.label));
      socket.on("api-message", (envelope: unknown) => void fake.receive(envelope));
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const rtmpPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-ingest-worker-"));
    const worker = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "worker/index.ts"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CANOPY_SERVER_URL: `http://127.0.0.1:${(httpServer.address() as net.AddressInfo).port}`,
        INTERNAL_SECRET: "test-secret",
        DATA_DIR: dataDir,
        RTMP_PORT: String(rtmpPort),
        RTMP_HOST: "127.0.0.1",
        LOG_LEVEL: "debug",
        HEARTBEAT_INTERVAL_SECONDS: "0.5",
      },
    });
    let workerOutput = "";
    worker.stdout.on("data", (chunk) => (workerOutput += chunk));
    worker.stderr.on("data", (chunk) => (workerOutput += chunk));
    const workerExit = new Promise<number | null>((resolve) => worker.on("exit", resolve));
    try {
      await waitUntil(() => told.some((entry) => entry.prompt === "heartbeat" && (entry.data.services as { ingest?: string }).ingest === "alive"), 20_000, 100);
      await waitUntil(() => told.some((entry) => entry.prompt === "ingestSessions"), 5000);
      expect((await publisher(rtmpPort, newKey()).exited).code).not.toBe(0);
      const live = publisher(rtmpPort, key);
      await waitUntil(() => told.some((entry) => entry.prompt === "setOnline"), 8000, 100);
      live.child.kill("SIGINT");
      await waitUntil(() => told.some((entry) => entry.prompt === "vodReady"), 10_000, 100);
      expect(told.find((entry) => entry.prompt === "setOffline")?.data).toMatchObject({ publicId: "hanapublic01", reason: "ended" });
    } finally {
      worker.kill("SIGTERM");
      const exited = await Promise.race([workerExit, new Promise((resolve) => setTimeout(() => resolve("timeout"), 10_000))]);
      if (exited === "timeout") worker.kill("SIGKILL");
      await io.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(workerOutput).toContain("publisher accepted");
    for (const used of usedKeys) expect(workerOutput).not.toContain(used);
  });

  it("makes thumbnails in one ffmpeg run, and still makes the good ones when one input is bad", async () => {
    const { execFileSync } = await import("node:child_process");
    const { captureThumbnails } = await import("../../worker/ingest/thumbnailer");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-thumbs-"));
    try {
      const segment = path.join(dir, "seg.ts");
      execFileSync("ffmpeg", ["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", segment]);
      fs.writeFileSync(path.join(dir, "bad.ts"), "not a video");
      const jobs = ["a", "bad", "b"].map((name) => ({ input: name === "bad" ? path.join(dir, "bad.ts") : segment, output: path.join(dir, `${name}.jpg`) }));
      expect(await captureThumbnails(jobs, { ffmpegPath: "ffmpeg" })).toEqual([true, false, true]);
      expect([...fs.readFileSync(path.join(dir, "a.jpg")).subarray(0, 2)]).toEqual([0xff, 0xd8]);
      expect(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never printed a stream key", () => {
    const printed = output.join("\n");
    // Proves the capture works whenever an in-process publisher was accepted in this run.
    if (acceptedInProcess) expect(printed).toContain("publisher accepted");
    for (const key of usedKeys) expect(printed).not.toContain(key);
  });
});

function assertNoKeyOnDisk(dataDir: string): void {
  for (const file of listFiles(dataDir)) {
    for (const key of usedKeys) {
      expect(file).not.toContain(key);
      if (/\.(m3u8|json)$/.test(file)) expect(fs.readFileSync(path.join(dataDir, file), "utf8")).not.toContain(key);
    }
  }
}
