// Recordings (VODs) on disk: vod/<vodId>/ holds index.m3u8, its segments, poster.jpg and
// meta.json (which channel, when; never the stream key). A recording whose meta.json lacks
// `endedAt` was interrupted (the worker died) and is finalised at the next start.
import fs from "node:fs/promises";
import path from "node:path";
import { closePlaylist, writeFileAtomic } from "./hls-playlist";
import { livePlaylistName } from "./hls-job";

export type RecordingMeta = {
  vodId: string;
  channel: string;
  publicId: string;
  sessionId: string;
  startedAt: number;
  endedAt?: number;
  durationSeconds?: number;
  sizeBytes?: number;
};

const metaName = "meta.json";
export const posterName = "poster.jpg";

export async function writeRecordingMeta(dir: string, meta: RecordingMeta): Promise<void> {
  await writeFileAtomic(path.join(dir, metaName), JSON.stringify(meta));
}

export async function readRecordingMeta(dir: string): Promise<RecordingMeta | undefined> {
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, metaName), "utf8")) as RecordingMeta;
    return typeof meta.vodId === "string" && typeof meta.startedAt === "number" ? meta : undefined;
  } catch {
    return undefined;
  }
}

export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    total += (await fs.stat(path.join(dir, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * Closes a recording: the playlist becomes a VOD playlist with ENDLIST (also when ffmpeg died
 * before writing it), leftovers of unfinished writes go, and meta.json gets the totals.
 * Returns undefined when nothing was recorded.
 */
export async function finalizeRecording(
  dir: string,
  meta: RecordingMeta,
  endedAt: number,
  options: { poster?: (playlistFile: string, posterFile: string) => Promise<unknown> } = {},
): Promise<RecordingMeta | undefined> {
  const playlistFile = path.join(dir, livePlaylistName);
  const playlist = await closePlaylist(playlistFile, { asVod: true });
  if (!playlist || playlist.segments.length === 0) return undefined;
  for (const entry of await fs.readdir(dir)) {
    if (entry.endsWith(".tmp")) await fs.rm(path.join(dir, entry), { force: true });
  }
  await options.poster?.(playlistFile, path.join(dir, posterName));
  const durationSeconds = Number(playlist.segments.reduce((sum, segment) => sum + segment.duration, 0).toFixed(3));
  const finished: RecordingMeta = { ...meta, endedAt, durationSeconds, sizeBytes: await directorySize(dir) };
  await writeRecordingMeta(dir, finished);
  return finished;
}
