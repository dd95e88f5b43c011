// Thumbnails: a short ffmpeg run decodes the first key frame of a segment into a small JPEG,
// written to a temporary file and renamed, so readers never see half an image. Most of such a
// run is ffmpeg's own start-up, so the thumbnails due at the same time are made by one run (one
// input and one output per stream); whatever a failed batch did not produce is retried alone,
// so one bad segment cannot starve the others. Runs at low CPU priority.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readPlaylist } from "./hls-playlist";

export type ThumbnailJob = { input: string; output: string };
export type ThumbnailOptions = {
  ffmpegPath: string;
  /** Largest width; smaller pictures keep theirs. */
  width?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
};

/** Makes every job's thumbnail; returns which succeeded. */
export async function captureThumbnails(jobs: ThumbnailJob[], options: ThumbnailOptions): Promise<boolean[]> {
  if (jobs.length === 0) return [];
  const results = await runBatch(jobs, options);
  if (jobs.length > 1 && results.includes(false)) {
    for (const [index, job] of jobs.entries()) {
      if (!results[index] && !options.signal?.aborted) results[index] = (await runBatch([job], options))[0]!;
    }
  }
  return results;
}

export async function captureThumbnail(job: ThumbnailJob, options: ThumbnailOptions): Promise<boolean> {
  return (await captureThumbnails([job], options))[0]!;
}

async function runBatch(jobs: ThumbnailJob[], options: ThumbnailOptions): Promise<boolean[]> {
  const width = options.width ?? 480;
  const temps = jobs.map((job) => path.join(path.dirname(job.output), `.${path.basename(job.output)}.${process.pid}.tmp`));
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-threads", "1"];
  for (const job of jobs) args.push("-skip_frame", "nokey", "-i", job.input);
  for (const [index, temp] of temps.entries()) {
    args.push("-map", `${index}:v:0`, "-frames:v", "1", "-vf", `scale='min(${width},iw)':-2`, "-q:v", "5", "-f", "mjpeg", "-y", temp);
  }
  await new Promise<void>((resolve) => {
    const child = spawn(options.ffmpegPath, args, { stdio: "ignore", signal: options.signal, killSignal: "SIGKILL" });
    // Thumbnails can wait; live HLS jobs (and streams still starting) go first.
    if (child.pid) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // Not permitted here: it runs at normal priority.
      }
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), (options.timeoutMs ?? 5000) + 250 * jobs.length);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    child.on("error", done);
    child.on("exit", done);
  });
  return Promise.all(
    jobs.map(async (job, index) => {
      const temp = temps[index]!;
      try {
        if ((await fs.stat(temp)).size > 0) {
          await fs.rename(temp, job.output);
          return true;
        }
      } catch {
        // Not produced: fall through.
      }
      await fs.rm(temp, { force: true });
      return false;
    }),
  );
}

/** The path of a playlist's newest (or middle) segment, if it has one. */
export async function segmentOf(playlistFile: string, pick: "newest" | "middle" = "newest"): Promise<string | undefined> {
  const segments = (await readPlaylist(playlistFile))?.segments ?? [];
  const segment = pick === "newest" ? segments.at(-1) : segments[Math.floor(segments.length / 2)];
  if (!segment || segment.uri.includes("/") || segment.uri.includes("..")) return undefined;
  return path.join(path.dirname(playlistFile), segment.uri);
}
