// Thumbnails: a short ffmpeg run decodes the first key frame of a segment into a small JPEG,
// written to a temporary file and renamed, so readers never see half an image.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { readPlaylist } from "./hls-playlist";

export type ThumbnailOptions = {
  ffmpegPath: string;
  input: string;
  output: string;
  /** Largest width; smaller pictures keep theirs. */
  width?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
};

export async function captureThumbnail(options: ThumbnailOptions): Promise<boolean> {
  const width = options.width ?? 480;
  const temp = path.join(path.dirname(options.output), `.${path.basename(options.output)}.${process.pid}.tmp`);
  const args = [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "error",
    "-threads",
    "1",
    "-skip_frame",
    "nokey",
    "-i",
    options.input,
    "-an",
    "-frames:v",
    "1",
    "-vf",
    `scale='min(${width},iw)':-2`,
    "-q:v",
    "5",
    "-f",
    "mjpeg",
    "-y",
    temp,
  ];
  const ok = await new Promise<boolean>((resolve) => {
    const child = spawn(options.ffmpegPath, args, { stdio: "ignore", signal: options.signal, killSignal: "SIGKILL" });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 5000);
    child.on("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
  try {
    if (ok && (await fs.stat(temp)).size > 0) {
      await fs.rename(temp, options.output);
      return true;
    }
  } catch {
    // Fall through: no thumbnail this time.
  }
  await fs.rm(temp, { force: true });
  return false;
}

/** A thumbnail from the newest segment of an HLS playlist. */
export async function thumbnailFromPlaylist(
  playlistFile: string,
  options: Omit<ThumbnailOptions, "input">,
  pick: "newest" | "middle" = "newest",
): Promise<boolean> {
  const playlist = await readPlaylist(playlistFile);
  const segments = playlist?.segments ?? [];
  const segment = pick === "newest" ? segments.at(-1) : segments[Math.floor(segments.length / 2)];
  if (!segment || segment.uri.includes("/") || segment.uri.includes("..")) return false;
  return captureThumbnail({ ...options, input: path.join(path.dirname(playlistFile), segment.uri) });
}
