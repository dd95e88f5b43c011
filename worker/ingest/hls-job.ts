// One ffmpeg per live stream: FLV on stdin (from the RTMP session, so no stream key on the command
// line or in a URL), `-c copy` into two HLS outputs: the live sliding window (short segments,
// old ones deleted) and, optionally, the recording (an EVENT playlist that grows for the whole
// stream and gets ENDLIST at the end; the ingest turns it into VOD). Input EOF (publisher gone,
// stdin closed) makes ffmpeg finish both playlists with ENDLIST, so no -rw_timeout is needed: the
// RTMP side detects dead publishers and closes the pipe.
import { spawn } from "node:child_process";
import path from "node:path";
import type { MediaSink } from "./rtmp-server";

export type HlsJobExit = { code: number | null; signal: NodeJS.Signals | null; requested: boolean; stderr: string };

export type HlsJobOptions = {
  ffmpegPath: string;
  liveDir: string;
  /** Recording directory; without it nothing is recorded. */
  vodDir?: string;
  segmentSeconds: number;
  liveSegments: number;
  vodSegmentSeconds: number;
  /** Counts (re)starts of this stream's job; names its segment files so none is overwritten. */
  generation: number;
  /** Media the job may fall behind by before it is killed as stuck. */
  maxBufferedBytes?: number;
  onExit(exit: HlsJobExit): void;
};

export type HlsJob = {
  pid: number | undefined;
  sink: MediaSink;
  /** Closes the input so ffmpeg finishes its playlists; kills it after `timeoutMs`. */
  end(timeoutMs?: number): Promise<void>;
  exited: Promise<void>;
};

export const livePlaylistName = "index.m3u8";

export function hlsJobArgs(options: Omit<HlsJobOptions, "onExit" | "maxBufferedBytes" | "ffmpegPath">): string[] {
  const restart = options.generation > 1;
  // A restarted job continues the playlists of the one that crashed, marked as a discontinuity.
  const continueFlags = restart ? "+append_list+discont_start" : "";
  const mapping = ["-map", "0:v?", "-map", "0:a?", "-c", "copy"];
  // -fpsprobesize 0: FLV gives the frame rate in its metadata; without it ffmpeg would wait for
  // 20 video frames (0.8 s at 25 fps) before writing anything, delaying the first playlist.
  const args = [
    "-hide_banner",
    "-nostats",
    "-loglevel",
    "error",
    "-fpsprobesize",
    "0",
    "-f",
    "flv",
    "-i",
    "pipe:0",
    ...mapping,
    "-f",
    "hls",
    "-hls_time",
    String(options.segmentSeconds),
    "-hls_list_size",
    String(options.liveSegments),
    "-hls_delete_threshold",
    "2",
    "-hls_flags",
    `delete_segments+independent_segments+program_date_time+temp_file${continueFlags}`,
    "-hls_segment_filename",
    path.join(options.liveDir, `g${options.generation}-%d.ts`),
    path.join(options.liveDir, livePlaylistName),
  ];
  if (options.vodDir) {
    args.push(
      ...mapping,
      "-f",
      "hls",
      "-hls_time",
      String(options.vodSegmentSeconds),
      "-hls_list_size",
      "0",
      "-hls_playlist_type",
      "event",
      "-hls_flags",
      `independent_segments+temp_file${continueFlags}`,
      "-hls_segment_filename",
      path.join(options.vodDir, `g${options.generation}-%05d.ts`),
      path.join(options.vodDir, livePlaylistName),
    );
  }
  return args;
}

export function startHlsJob(options: HlsJobOptions): HlsJob {
  const maxBuffered = options.maxBufferedBytes ?? 32 * 1024 * 1024;
  const child = spawn(options.ffmpegPath, hlsJobArgs(options), { stdio: ["pipe", "ignore", "pipe"] });
  let requested = false;
  let exited = false;
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  child.stdin.on("error", () => {
    // EPIPE when ffmpeg died; its exit is reported below.
  });
  const exitedPromise = new Promise<void>((resolve) => {
    let reported = false;
    const report = (code: number | null, signal: NodeJS.Signals | null) => {
      if (reported) return;
      reported = true;
      exited = true;
      resolve();
      options.onExit({ code, signal, requested, stderr: stderr.trim() });
    };
    child.on("exit", report);
    child.on("error", (error) => {
      stderr = `${stderr}\n${error.message}`;
      report(null, null);
    });
  });

  const sink: MediaSink = {
    write(chunk) {
      if (exited || !child.stdin.writable) return;
      if (child.stdin.writableLength > maxBuffered) {
        // ffmpeg stopped reading; it is restarted like a crashed one.
        child.kill("SIGKILL");
        return;
      }
      child.stdin.write(chunk);
    },
  };

  async function end(timeoutMs = 6000): Promise<void> {
    requested = true;
    if (exited) return;
    child.stdin.end();
    const term = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 2000);
    await exitedPromise;
    clearTimeout(term);
    clearTimeout(kill);
  }

  return { pid: child.pid, sink, end, exited: exitedPromise };
}
