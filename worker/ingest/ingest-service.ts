// The worker's ingest capability: RTMP publishers in, HLS (live window + recording) and
// thumbnails out under DATA_DIR/media, stream state to the server over the internal bus.
//
// What the server hears, and when (all prompts are in server/internal/protocol.ts):
// - checkKeyExists (question) on every publish; no answer within INGEST_KEY_CHECK_TIMEOUT_MS
//   refuses the publisher. The reply's publicId names the stream's files and URLs.
// - setOnline when the first live playlist with a segment exists (and again after LURKING);
//   setLurking when no new segment came for `lurkSeconds` while the publisher is connected;
//   setOffline {reason: ended | dropped | failed} for every accepted publish, as soon as it ends.
// - streamStats every `statsSeconds` while live; vodReady when a recording is closed (also for
//   recordings a crashed worker left behind, at start); vodDeleted when retention removes one;
//   ingestSessions on every (re)connect and every `sessionsSeconds`.
// It answers ingestStop {publicId}. The stream key only travels in checkKeyExists; logs carry
// session ids, channel names and public ids.
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { env } from "../../server/env";
import { isAppError } from "../../server/errors";
import type { BusEndpoint } from "../../server/internal/bus-endpoint";
import { serverLabel } from "../../server/internal/protocol";
import type { Logger } from "../../server/logger";
import { mediaPaths, publicIdPattern } from "../../server/streams/media-paths";
import type { CapabilityHealth, WorkerCapability } from "../capabilities";
import { closePlaylist, readPlaylist } from "./hls-playlist";
import { livePlaylistName, startHlsJob, type HlsJob, type HlsJobExit } from "./hls-job";
import { finalizeRecording, readRecordingMeta, writeRecordingMeta, type RecordingMeta } from "./recording";
import { createRtmpServer, type PublishDecision, type PublishRequest, type RtmpServer } from "./rtmp-server";
import { captureThumbnail, captureThumbnails, segmentOf } from "./thumbnailer";
import { applyVodRetention } from "./vod-retention";

export type IngestSettings = {
  rtmpPort: number;
  rtmpHost: string;
  maxConnections: number;
  dataDir: string;
  ffmpegPath: string;
  segmentSeconds: number;
  liveSegments: number;
  vodSegmentSeconds: number;
  vodRetentionDays: number;
  vodMaxTotalMb: number;
  keyCheckTimeoutMs: number;
  idleTimeoutSeconds: number;
  maxRestarts: number;
  thumbnailSeconds: number;
  lurkSeconds: number;
  statsSeconds: number;
  sessionsSeconds: number;
  /** How long a finished stream's live playlist (with ENDLIST) stays for players to see the end. */
  liveCleanupSeconds: number;
  retentionIntervalSeconds: number;
  /** Between retries to bind the RTMP port after it was taken. */
  listenRetrySeconds: number;
};

export type IngestServiceOptions = {
  bus: Pick<BusEndpoint, "ask" | "tell" | "handle">;
  workerId: string;
  log: Logger;
  settings?: Partial<IngestSettings>;
};

export type IngestService = WorkerCapability & {
  /** Settles when start-up (clean-up, recovery, first listen attempt) is done. */
  ready: Promise<void>;
  rtmpPort(): number;
  liveStreams(): { channel: string; publicId: string; sessionId: string; state: StreamState; jobPid?: number; firstPlaylistMs?: number }[];
};

type StreamState = "starting" | "online" | "lurking" | "ending";
type OfflineReason = "ended" | "dropped" | "failed";

type Stream = {
  sessionId: string;
  channel: string;
  publicId: string;
  startedAt: number;
  state: StreamState;
  recording?: RecordingMeta;
  job?: HlsJob;
  detach?: () => void;
  generation: number;
  restarts: number[];
  restartTimer?: NodeJS.Timeout;
  stopReason?: OfflineReason;
  playlistMtime: number;
  newestSegment?: string;
  lastSegmentAt: number;
  firstPlaylistMs?: number;
  thumbnailAt?: number;
  thumbnailTriedAt: number;
  statsAt: number;
  statsBytes: number;
  ending?: Promise<void>;
};

export function ingestSettingsFromEnv(): IngestSettings {
  const config = env();
  return {
    rtmpPort: config.RTMP_PORT,
    rtmpHost: config.RTMP_HOST,
    maxConnections: config.RTMP_MAX_CONNECTIONS,
    dataDir: config.DATA_DIR,
    ffmpegPath: config.FFMPEG_PATH,
    segmentSeconds: config.HLS_SEGMENT_SECONDS,
    liveSegments: config.HLS_LIVE_SEGMENTS,
    vodSegmentSeconds: 4,
    vodRetentionDays: config.VOD_RETENTION_DAYS,
    vodMaxTotalMb: config.VOD_MAX_TOTAL_MB,
    keyCheckTimeoutMs: config.INGEST_KEY_CHECK_TIMEOUT_MS,
    idleTimeoutSeconds: config.INGEST_IDLE_TIMEOUT_SECONDS,
    maxRestarts: config.HLS_MAX_RESTARTS,
    thumbnailSeconds: config.THUMBNAIL_INTERVAL_SECONDS,
    lurkSeconds: 5,
    statsSeconds: 5,
    sessionsSeconds: 15,
    liveCleanupSeconds: 10,
    retentionIntervalSeconds: 600,
    listenRetrySeconds: 10,
  };
}

export function createIngestService(options: IngestServiceOptions): IngestService {
  const settings: IngestSettings = { ...ingestSettingsFromEnv(), ...options.settings };
  const { bus, log, workerId } = options;
  const paths = mediaPaths(settings.dataDir);
  const liveRoot = path.join(paths.root, "live");
  const vodRoot = path.join(paths.root, "vod");
  const thumbRoot = path.dirname(paths.thumbnail("x"));
  const recordVods = settings.vodRetentionDays > 0;

  const streams = new Map<string, Stream>(); // by publicId
  const bySession = new Map<string, Stream>();
  const liveCleanups = new Map<string, NodeJS.Timeout>();
  /** Recordings being written or finalised: retention leaves them alone. */
  const openRecordings = new Set<string>();
  const shortJobs = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  let listening = false;
  let listenFailed = false;
  let stopping = false;
  let listenRetry: NodeJS.Timeout | undefined;

  const rtmp: RtmpServer = createRtmpServer({
    port: settings.rtmpPort,
    host: settings.rtmpHost,
    maxConnections: settings.maxConnections,
    idleTimeoutMs: settings.idleTimeoutSeconds * 1000,
    onPublish,
    onDone: ({ sessionId, reason }) => {
      const stream = bySession.get(sessionId);
      if (stream) void endStream(stream, stream.stopReason ?? reason);
    },
    onRefused: ({ sessionId, reason }) => log.debug("rtmp connection refused", { sessionId, reason }),
  });

  // ---- publish ---------------------------------------------------------------------------------

  async function onPublish(request: PublishRequest): Promise<PublishDecision> {
    const { sessionId } = request;
    if (stopping) return { allowed: false };
    let reply;
    try {
      reply = await bus.ask(serverLabel, "checkKeyExists", { streamKey: request.streamKey, sessionId }, { timeoutMs: settings.keyCheckTimeoutMs });
    } catch (error) {
      // Only the code: an error text from the other side could quote the data it was given.
      log.warn("publisher refused: stream key check failed", { sessionId, code: isAppError(error) ? error.code : "INTERNAL" });
      return { allowed: false };
    }
    if (!reply.exists || !reply.allowed) {
      log.info("publisher refused", { sessionId, reason: reply.reason ?? (reply.exists ? "not-allowed" : "unknown-key") });
      return { allowed: false };
    }
    const { channel, publicId } = reply;
    if (!channel || !publicId || !publicIdPattern.test(publicId)) {
      log.error("publisher refused: the server's key check named no valid channel", { sessionId });
      return { allowed: false };
    }
    if (stopping || streams.has(publicId)) {
      log.info("publisher refused", { sessionId, channel, publicId, reason: "already-live" });
      return { allowed: false };
    }
    const now = Date.now();
    const stream: Stream = {
      sessionId,
      channel,
      publicId,
      startedAt: now,
      state: "starting",
      generation: 0,
      restarts: [],
      playlistMtime: 0,
      lastSegmentAt: now,
      thumbnailTriedAt: 0,
      statsAt: now,
      statsBytes: 0,
    };
    // Registered before any await, so a second publisher of the channel is refused above.
    streams.set(publicId, stream);
    bySession.set(sessionId, stream);
    try {
      await prepareLiveDir(publicId);
      if (recordVods) {
        const vodId = crypto.randomUUID();
        stream.recording = { vodId, channel, publicId, sessionId, startedAt: now };
        openRecordings.add(vodId);
        await fs.mkdir(paths.vodDir(vodId), { recursive: true });
        await writeRecordingMeta(paths.vodDir(vodId), stream.recording);
      }
    } catch (error) {
      log.error("cannot prepare media directories", { sessionId, publicId, error: (error as Error).message });
      streams.delete(publicId);
      bySession.delete(sessionId);
      return { allowed: false };
    }
    log.info("publisher accepted", { sessionId, channel, publicId });
    startJob(stream);
    return { allowed: true };
  }

  async function prepareLiveDir(publicId: string): Promise<void> {
    const pending = liveCleanups.get(publicId);
    if (pending) clearTimeout(pending);
    liveCleanups.delete(publicId);
    const dir = paths.liveDir(publicId);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
  }

  function startJob(stream: Stream): void {
    if (stream.state === "ending") return;
    stream.generation += 1;
    const job: HlsJob = startHlsJob({
      ffmpegPath: settings.ffmpegPath,
      liveDir: paths.liveDir(stream.publicId),
      vodDir: stream.recording ? paths.vodDir(stream.recording.vodId) : undefined,
      segmentSeconds: settings.segmentSeconds,
      liveSegments: settings.liveSegments,
      vodSegmentSeconds: settings.vodSegmentSeconds,
      generation: stream.generation,
      onExit: (exit) => onJobExit(stream, job, exit),
    });
    stream.job = job;
    stream.detach = rtmp.attach(stream.sessionId, job.sink);
  }

  function onJobExit(stream: Stream, job: HlsJob, exit: HlsJobExit): void {
    if (stream.job !== job) return;
    stream.detach?.();
    stream.detach = undefined;
    stream.job = undefined;
    if (exit.requested || stream.state === "ending") return;
    const now = Date.now();
    stream.restarts = stream.restarts.filter((at) => now - at < 120_000);
    log.warn("HLS job exited", { publicId: stream.publicId, code: exit.code, signal: exit.signal, restarts: stream.restarts.length, detail: exit.stderr.slice(-300) });
    if (stream.restarts.length >= settings.maxRestarts) {
      void endStream(stream, "failed");
      return;
    }
    stream.restarts.push(now);
    const delay = Math.min(250 * 2 ** (stream.restarts.length - 1), 4000);
    stream.restartTimer = setTimeout(() => startJob(stream), delay);
  }

  // ---- while live ------------------------------------------------------------------------------

  function session(stream: Stream) {
    return { channel: stream.channel, publicId: stream.publicId, sessionId: stream.sessionId };
  }

  async function watch(stream: Stream, now: number): Promise<void> {
    const playlistFile = path.join(paths.liveDir(stream.publicId), livePlaylistName);
    const stat = await fs.stat(playlistFile).catch(() => undefined);
    if (stat && stat.mtimeMs !== stream.playlistMtime) {
      stream.playlistMtime = stat.mtimeMs;
      const newest = (await readPlaylist(playlistFile))?.segments.at(-1)?.uri;
      if (newest && newest !== stream.newestSegment) {
        stream.newestSegment = newest;
        stream.lastSegmentAt = now;
      }
    }
    if (stream.state === "ending") return;
    const fresh = stream.newestSegment !== undefined && now - stream.lastSegmentAt < settings.lurkSeconds * 1000;
    if (fresh && stream.state !== "online") {
      if (stream.firstPlaylistMs === undefined) {
        stream.firstPlaylistMs = now - stream.startedAt;
        // The first thumbnail is due 2 s later (not while a burst of streams is still starting).
        stream.thumbnailTriedAt = now - settings.thumbnailSeconds * 1000 + 2000;
        log.info("stream online", { ...session(stream), firstPlaylistMs: stream.firstPlaylistMs });
      } else log.info("stream online again", session(stream));
      stream.state = "online";
      bus.tell(serverLabel, "setOnline", { ...session(stream), workerId, startedAt: stream.startedAt });
    } else if (!fresh && stream.state !== "lurking" && now - stream.lastSegmentAt >= settings.lurkSeconds * 1000) {
      stream.state = "lurking";
      log.info("stream lurking: no new segment", session(stream));
      bus.tell(serverLabel, "setLurking", session(stream));
    }
    if (now - stream.statsAt >= settings.statsSeconds * 1000) sendStats(stream, now);
  }

  let thumbnailBatch: Promise<void> | undefined;
  /**
   * When a live stream's thumbnail is due, one ffmpeg run makes it together with those due in
   * the next few seconds; the streams' schedules thereby fall into step and share runs.
   */
  function scheduleThumbnails(now: number): void {
    if (thumbnailBatch || stopping) return;
    const interval = settings.thumbnailSeconds * 1000;
    const online = [...streams.values()].filter((stream) => stream.state === "online");
    if (!online.some((stream) => now - stream.thumbnailTriedAt >= interval)) return;
    const batch = online.filter((stream) => now - stream.thumbnailTriedAt >= interval - 3000).slice(0, 16);
    for (const stream of batch) stream.thumbnailTriedAt = now;
    thumbnailBatch = (async () => {
      const jobs: { stream: Stream; input: string; output: string }[] = [];
      for (const stream of batch) {
        const input = await segmentOf(path.join(paths.liveDir(stream.publicId), livePlaylistName));
        if (input) jobs.push({ stream, input, output: paths.thumbnail(stream.publicId) });
      }
      const results = await captureThumbnails(jobs, { ffmpegPath: settings.ffmpegPath, signal: shortJobs.signal });
      const at = Date.now();
      for (const [index, job] of jobs.entries()) if (results[index]) job.stream.thumbnailAt = at;
    })()
      .catch(() => {})
      .finally(() => {
        thumbnailBatch = undefined;
      });
  }

  function sendStats(stream: Stream, now: number): void {
    const info = rtmp.info(stream.sessionId);
    if (!info) return;
    const seconds = Math.max((now - stream.statsAt) / 1000, 0.001);
    const bitrateKbps = Math.max(0, ((info.mediaBytes - stream.statsBytes) * 8) / 1000 / seconds);
    stream.statsAt = now;
    stream.statsBytes = info.mediaBytes;
    if (stream.state === "starting") return;
    bus.tell(serverLabel, "streamStats", {
      ...session(stream),
      bitrateKbps: Math.round(bitrateKbps),
      width: info.width === undefined ? undefined : Math.round(info.width),
      height: info.height === undefined ? undefined : Math.round(info.height),
      fps: info.fps === undefined ? undefined : Number(info.fps.toFixed(2)),
      videoCodec: info.videoCodec,
      audioCodec: info.audioCodec,
      uptimeSeconds: Math.round((now - stream.startedAt) / 1000),
      thumbnailAt: stream.thumbnailAt,
    });
  }

  let watching = false;
  async function tick(): Promise<void> {
    if (watching) return;
    watching = true;
    try {
      const now = Date.now();
      await Promise.all([...streams.values()].map((stream) => watch(stream, now).catch(() => {})));
      scheduleThumbnails(now);
    } finally {
      watching = false;
    }
  }

  function reportSessions(): void {
    const live = [...streams.values()].filter((stream) => stream.state !== "ending").map(session);
    bus.tell(serverLabel, "ingestSessions", { workerId, live });
  }

  // ---- end -------------------------------------------------------------------------------------

  function endStream(stream: Stream, reason: OfflineReason): Promise<void> {
    if (stream.ending) return stream.ending;
    stream.state = "ending";
    clearTimeout(stream.restartTimer);
    stream.ending = (async () => {
      const seconds = Math.round((Date.now() - stream.startedAt) / 1000);
      log.info("stream ended", { ...session(stream), reason, seconds });
      bus.tell(serverLabel, "setOffline", { ...session(stream), reason });
      rtmp.disconnect(stream.sessionId);
      stream.detach?.();
      await stream.job?.end();
      const liveDir = paths.liveDir(stream.publicId);
      await closePlaylist(path.join(liveDir, livePlaylistName)).catch(() => undefined);
      streams.delete(stream.publicId);
      bySession.delete(stream.sessionId);
      // Players get a moment to read ENDLIST; a stopping worker removes the window at once.
      if (stopping) await fs.rm(liveDir, { recursive: true, force: true });
      else scheduleLiveCleanup(stream.publicId);
      if (stream.recording) await finishRecording(stream.recording).catch((error: Error) => log.error("cannot finalise recording", { vodId: stream.recording?.vodId, error: error.message }));
    })();
    return stream.ending;
  }

  function scheduleLiveCleanup(publicId: string): void {
    const timer = setTimeout(() => {
      liveCleanups.delete(publicId);
      if (!streams.has(publicId)) void fs.rm(paths.liveDir(publicId), { recursive: true, force: true });
    }, settings.liveCleanupSeconds * 1000);
    liveCleanups.set(publicId, timer);
  }

  async function finishRecording(meta: RecordingMeta): Promise<void> {
    try {
      await closeRecording(meta);
    } finally {
      openRecordings.delete(meta.vodId);
    }
    await runRetention();
  }

  async function closeRecording(meta: RecordingMeta): Promise<void> {
    const dir = paths.vodDir(meta.vodId);
    const finished = await finalizeRecording(dir, meta, meta.endedAt ?? Date.now(), {
      poster: async (playlistFile, posterFile) => {
        const input = await segmentOf(playlistFile, "middle");
        if (input) await captureThumbnail({ input, output: posterFile }, { ffmpegPath: settings.ffmpegPath, width: 640, signal: shortJobs.signal });
      },
    });
    if (!finished) {
      await fs.rm(dir, { recursive: true, force: true });
      log.info("nothing recorded", { vodId: meta.vodId, publicId: meta.publicId });
      return;
    }
    bus.tell(serverLabel, "vodReady", {
      channel: finished.channel,
      publicId: finished.publicId,
      sessionId: finished.sessionId,
      vodId: finished.vodId,
      durationSeconds: finished.durationSeconds ?? 0,
      sizeBytes: finished.sizeBytes ?? 0,
      startedAt: finished.startedAt,
      endedAt: finished.endedAt ?? Date.now(),
    });
    log.info("recording ready", { vodId: finished.vodId, publicId: finished.publicId, durationSeconds: finished.durationSeconds });
  }

  let retentionRunning: Promise<void> | undefined;
  let retentionAgain = false;
  /** One pass at a time; a request during a pass gets another pass after it. */
  function runRetention(): Promise<void> {
    if (retentionRunning) {
      retentionAgain = true;
      return retentionRunning;
    }
    retentionRunning = (async () => {
      do {
        retentionAgain = false;
        try {
          const deleted = await applyVodRetention({
            vodRoot,
            retentionDays: settings.vodRetentionDays,
            maxTotalBytes: settings.vodMaxTotalMb * 1024 * 1024,
            active: openRecordings,
          });
          for (const vodId of deleted) bus.tell(serverLabel, "vodDeleted", { vodId });
          if (deleted.length) log.info("recordings removed by retention", { count: deleted.length });
        } catch (error) {
          log.warn("retention failed", { error: (error as Error).message });
        }
      } while (retentionAgain && !stopping);
      retentionRunning = undefined;
    })();
    return retentionRunning;
  }

  // ---- start and stop --------------------------------------------------------------------------

  /** Before listening: removes what a previous (crashed) worker left live; returns its open recordings. */
  async function cleanStartup(): Promise<RecordingMeta[]> {
    await fs.mkdir(liveRoot, { recursive: true });
    await fs.mkdir(vodRoot, { recursive: true });
    await fs.mkdir(thumbRoot, { recursive: true });
    for (const entry of await fs.readdir(liveRoot)) await fs.rm(path.join(liveRoot, entry), { recursive: true, force: true });
    for (const entry of await fs.readdir(thumbRoot)) if (entry.endsWith(".tmp")) await fs.rm(path.join(thumbRoot, entry), { force: true });
    const interrupted: RecordingMeta[] = [];
    for (const entry of await fs.readdir(vodRoot)) {
      const meta = await readRecordingMeta(path.join(vodRoot, entry));
      if (meta && meta.endedAt === undefined && meta.vodId === entry) interrupted.push(meta);
    }
    return interrupted;
  }

  /** Closes and announces recordings a crashed worker left open. */
  async function recoverRecordings(interrupted: RecordingMeta[]): Promise<void> {
    for (const meta of interrupted) {
      const stat = await fs.stat(path.join(paths.vodDir(meta.vodId), livePlaylistName)).catch(() => undefined);
      log.info("closing an interrupted recording", { vodId: meta.vodId, publicId: meta.publicId });
      openRecordings.add(meta.vodId);
      await finishRecording({ ...meta, endedAt: stat?.mtimeMs ?? Date.now() }).catch((error: Error) =>
        log.error("cannot finalise recording", { vodId: meta.vodId, error: error.message }),
      );
    }
    await runRetention();
  }

  async function listen(): Promise<void> {
    if (stopping) return;
    try {
      await rtmp.listen();
      listening = true;
      listenFailed = false;
      log.info("rtmp ingest listening", { port: rtmp.port(), host: settings.rtmpHost });
    } catch (error) {
      listenFailed = true;
      log.error("rtmp ingest cannot listen; retrying", { port: settings.rtmpPort, error: (error as Error).message });
      listenRetry = setTimeout(() => void listen(), settings.listenRetrySeconds * 1000);
    }
  }

  bus.handle("ingestStop", async ({ publicId }) => {
    const stream = streams.get(publicId);
    if (!stream || stream.state === "ending") return { stopped: false };
    stream.stopReason = "ended";
    log.info("publisher stopped by the server", session(stream));
    void endStream(stream, "ended");
    return { stopped: true };
  });

  const ready = (async () => {
    let interrupted: RecordingMeta[] = [];
    try {
      interrupted = await cleanStartup();
    } catch (error) {
      log.error("ingest start-up clean-up failed", { error: (error as Error).message });
    }
    await listen();
    await recoverRecordings(interrupted);
    if (stopping) return;
    timers.push(setInterval(() => void tick(), 500));
    timers.push(setInterval(reportSessions, settings.sessionsSeconds * 1000));
    timers.push(setInterval(() => void runRetention(), settings.retentionIntervalSeconds * 1000));
  })();

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await ready;
    clearTimeout(listenRetry);
    for (const timer of timers) clearInterval(timer);
    const ends = [...streams.values()].map((stream) => endStream(stream, stream.stopReason ?? "ended"));
    await Promise.race([Promise.allSettled(ends), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    await rtmp.close();
    shortJobs.abort();
    await thumbnailBatch;
    await retentionRunning;
    for (const [publicId, timer] of liveCleanups) {
      clearTimeout(timer);
      await fs.rm(paths.liveDir(publicId), { recursive: true, force: true });
    }
    liveCleanups.clear();
    listening = false;
  }

  return {
    name: "ingest",
    health: (): CapabilityHealth => (listenFailed && !listening ? "zombie" : "alive"),
    onConnect: reportSessions,
    load: () => streams.size,
    stop,
    ready,
    rtmpPort: () => rtmp.port(),
    liveStreams: () =>
      [...streams.values()].map((stream) => ({ ...session(stream), state: stream.state, jobPid: stream.job?.pid, firstPlaylistMs: stream.firstPlaylistMs })),
  };
}
