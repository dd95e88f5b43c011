// Keeps recordings within VOD_RETENTION_DAYS and VOD_MAX_TOTAL_MB: older ones go, then the
// oldest until the total fits. Recordings still being written are never removed, but their size
// counts, so a long live stream pushes old recordings out while it grows.
import fs from "node:fs/promises";
import path from "node:path";
import { vodIdPattern } from "../../server/streams/media-paths";
import { directorySize, readRecordingMeta } from "./recording";

export type RetentionOptions = {
  vodRoot: string;
  retentionDays: number;
  maxTotalBytes: number;
  /** vodIds being recorded now. */
  active: ReadonlySet<string>;
  now?: number;
};

type Entry = { vodId: string; dir: string; endedAt: number; sizeBytes: number; active: boolean };

/** Deletes what exceeds the limits; returns the vodIds removed. */
export async function applyVodRetention(options: RetentionOptions): Promise<string[]> {
  const now = options.now ?? Date.now();
  const entries: Entry[] = [];
  for (const dirent of await fs.readdir(options.vodRoot, { withFileTypes: true }).catch(() => [])) {
    if (!dirent.isDirectory() || !vodIdPattern.test(dirent.name)) continue;
    const dir = path.join(options.vodRoot, dirent.name);
    const active = options.active.has(dirent.name);
    const meta = active ? undefined : await readRecordingMeta(dir);
    const endedAt = meta?.endedAt ?? (await fs.stat(dir).catch(() => ({ mtimeMs: now }))).mtimeMs;
    const sizeBytes = meta?.sizeBytes ?? (await directorySize(dir));
    entries.push({ vodId: dirent.name, dir, endedAt: active ? now : endedAt, sizeBytes, active });
  }
  entries.sort((a, b) => a.endedAt - b.endedAt);

  const deleted: string[] = [];
  let total = entries.reduce((sum, entry) => sum + entry.sizeBytes, 0);
  const maxAgeMs = options.retentionDays * 86_400_000;
  for (const entry of entries) {
    if (entry.active) continue;
    const tooOld = now - entry.endedAt > maxAgeMs;
    if (!tooOld && total <= options.maxTotalBytes) continue;
    await fs.rm(entry.dir, { recursive: true, force: true });
    total -= entry.sizeBytes;
    deleted.push(entry.vodId);
  }
  return deleted;
}
