// Small formatters shared by the channel cards, the channel page and the dashboard. Pure, so
// server and client render the same text.

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en");

/** 0:42, 4:05, 1:02:03 */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** "1 viewer", "12 viewers", "1.2K viewers" */
export function formatViewers(count: number): string {
  return `${count < 1000 ? whole.format(count) : compact.format(count)} ${count === 1 ? "viewer" : "viewers"}`;
}

/** Just the number, compact above a thousand. */
export function formatCount(count: number): string {
  return count < 1000 ? whole.format(count) : compact.format(count);
}

/** 850 kb/s, 2.5 Mb/s */
export function formatBitrate(kbps: number): string {
  if (kbps >= 1000) return `${(kbps / 1000).toFixed(kbps >= 10_000 ? 0 : 1)} Mb/s`;
  return `${Math.round(kbps)} kb/s`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

const codecNames: Record<string, string> = {
  h264: "H.264",
  avc: "H.264",
  avc1: "H.264",
  hevc: "H.265",
  h265: "H.265",
  av1: "AV1",
  vp8: "VP8",
  vp9: "VP9",
  aac: "AAC",
  mp3: "MP3",
  opus: "Opus",
};

export function codecLabel(codec: string | undefined | null): string {
  if (!codec) return "—";
  return codecNames[codec.toLowerCase()] ?? codec.toUpperCase();
}

/** Seconds since `since` (a Date or epoch ms) at `now` (epoch ms). */
export function secondsSince(since: Date | string | number, now: number): number {
  return Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
}

/** A CSS url() value for a same-site path (quotes and backslashes escaped). */
export function cssUrl(url: string): string {
  return `url("${url.replace(/["\\\n]/g, (character) => `\\${character.charCodeAt(0).toString(16)} `)}")`;
}

export function directoryHref(directory: string): string {
  return `/?directory=${encodeURIComponent(directory)}`;
}
