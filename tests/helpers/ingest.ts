// Drives the worker's ingest in-process: a fake server end of the internal bus (answers
// checkKeyExists from a key table, records every message the ingest tells), real ffmpeg
// publishers, and helpers to look at what landed under DATA_DIR/media.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createBusEndpoint, type BusEndpoint, type PromptHandler } from "../../server/internal/bus-endpoint";
import type { Envelope, MessagePrompt, ParsedPromptData, PromptReply } from "../../server/internal/protocol";
import { createLogger } from "../../server/logger";
import { createIngestService, type IngestService, type IngestSettings } from "../../worker/ingest/ingest-service";

export const ffmpegPath = process.env.FFMPEG_PATH ?? "ffmpeg";
export const ffprobePath = process.env.FFPROBE_PATH ?? "ffprobe";

type Told = { [P in MessagePrompt]: { prompt: P; data: ParsedPromptData<P>; at: number } }[MessagePrompt];
type KeyAnswer = PromptReply<"checkKeyExists"> | "never";

export type IngestHarness = {
  service: IngestService;
  /** The fake server's end of the bus (to ask the worker, e.g. ingestStop). */
  server: BusEndpoint;
  port: number;
  dataDir: string;
  told: Told[];
  keyChecks: { at: number; sessionId: string }[];
  /** stream key → the server's answer. */
  keys: Map<string, KeyAnswer>;
  waitForTold<P extends MessagePrompt>(prompt: P, match?: (data: ParsedPromptData<P>) => boolean, timeoutMs?: number): Promise<{ data: ParsedPromptData<P>; at: number }>;
  stop(): Promise<void>;
};

export async function startIngest(options: { settings?: Partial<IngestSettings>; dataDir?: string; workerId?: string } = {}): Promise<IngestHarness> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "canopy-ingest-"));
  const workerId = options.workerId ?? "test";
  const endpoints: Record<string, BusEndpoint> = {};
  const send = (envelope: Envelope) => queueMicrotask(() => void endpoints[envelope.target]?.receive(envelope));
  const server = createBusEndpoint({ label: "web-api", send });
  const worker = createBusEndpoint({ label: `worker:${workerId}`, send });
  endpoints[server.label] = server;
  endpoints[worker.label] = worker;

  const told: Told[] = [];
  const keyChecks: { at: number; sessionId: string }[] = [];
  const keys = new Map<string, KeyAnswer>();
  const waiters = new Set<() => void>();
  const record = (entry: Told) => {
    told.push(entry);
    for (const wake of waiters) wake();
  };
  const messages: MessagePrompt[] = ["setOnline", "setLurking", "setOffline", "streamStats", "vodReady", "vodDeleted", "ingestSessions", "heartbeat"];
  for (const prompt of messages) {
    server.handle(prompt, ((data: unknown) => record({ prompt, data, at: Date.now() } as Told)) as PromptHandler<typeof prompt>);
  }
  server.handle("checkKeyExists", ({ streamKey, sessionId }) => {
    keyChecks.push({ at: Date.now(), sessionId });
    const answer = keys.get(streamKey) ?? { exists: false, allowed: false, reason: "unknown-key" as const };
    if (answer === "never") return new Promise<never>(() => {});
    return answer;
  });

  const service = createIngestService({
    bus: worker,
    workerId,
    log: createLogger("ingest"),
    settings: { rtmpPort: 0, rtmpHost: "127.0.0.1", dataDir, ffmpegPath, liveCleanupSeconds: 1, statsSeconds: 1, ...options.settings },
  });
  await service.ready;

  function waitForTold<P extends MessagePrompt>(prompt: P, match?: (data: ParsedPromptData<P>) => boolean, timeoutMs = 15_000) {
    return new Promise<{ data: ParsedPromptData<P>; at: number }>((resolve, reject) => {
      const check = () => {
        const found = told.find((entry) => entry.prompt === prompt && (!match || match(entry.data as ParsedPromptData<P>)));
        if (!found) return;
        cleanup();
        resolve({ data: found.data as ParsedPromptData<P>, at: found.at });
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${prompt} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  return {
    service,
    server,
    port: service.rtmpPort(),
    dataDir,
    told,
    keyChecks,
    keys,
    waitForTold,
    async stop() {
      await service.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Publisher = { child: ChildProcess; startedAt: number; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> };

/** A real RTMP publisher: small test picture and tone, 1 s key frame interval. */
export function publish(port: number, streamPath: string, options: { seconds?: number; app?: string } = {}): Publisher {
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"];
  if (options.seconds) args.push("-t", String(options.seconds));
  args.push(
    ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-keyint_min", "25", "-c:a", "aac", "-b:a", "64k"],
    ...["-f", "flv", `rtmp://127.0.0.1:${port}/${options.app ?? "live"}/${streamPath}`],
  );
  const child = spawn(ffmpegPath, args, { stdio: "ignore" });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, startedAt: Date.now(), exited };
}

export async function killAll(publishers: Publisher[]): Promise<void> {
  for (const publisher of publishers) if (publisher.child.exitCode === null && publisher.child.signalCode === null) publisher.child.kill("SIGKILL");
  await Promise.all(publishers.map((publisher) => publisher.exited));
}

export async function waitUntil<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Every file under `dir`, relative. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

export function ffprobeStreams(input: string): Promise<{ codec_type: string; codec_name: string; width?: number; height?: number }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffprobePath, ["-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height", "-of", "json", input], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`ffprobe failed: ${err.trim()}`));
      resolve((JSON.parse(out) as { streams: never[] }).streams);
    });
  });
}
