// Reading and closing the media playlists our ffmpeg jobs write (live window and recording).
import fs from "node:fs/promises";

export type PlaylistSegment = { uri: string; duration: number };
export type Playlist = { mediaSequence: number; segments: PlaylistSegment[]; ended: boolean; type?: string };

export function parsePlaylist(text: string): Playlist {
  const playlist: Playlist = { mediaSequence: 0, segments: [], ended: false };
  let duration: number | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith("#EXTINF:")) duration = Number.parseFloat(line.slice(8));
    else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) playlist.mediaSequence = Number.parseInt(line.slice(22), 10) || 0;
    else if (line.startsWith("#EXT-X-PLAYLIST-TYPE:")) playlist.type = line.slice(21);
    else if (line === "#EXT-X-ENDLIST") playlist.ended = true;
    else if (!line.startsWith("#")) {
      playlist.segments.push({ uri: line, duration: Number.isFinite(duration) ? duration! : 0 });
      duration = undefined;
    }
  }
  return playlist;
}

export async function readPlaylist(file: string): Promise<Playlist | undefined> {
  try {
    return parsePlaylist(await fs.readFile(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Writes a file so readers see the old or the new content, never a part. */
export async function writeFileAtomic(file: string, content: string | Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, content);
  await fs.rename(temp, file);
}

/**
 * Ends a playlist whose writer died before it could: adds EXT-X-ENDLIST and, with `asVod`, turns
 * an EVENT playlist into a VOD one. Returns the playlist as it is now (undefined: none).
 */
export async function closePlaylist(file: string, options: { asVod?: boolean } = {}): Promise<Playlist | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined;
  }
  let changed = text;
  if (options.asVod) changed = changed.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD");
  if (!parsePlaylist(changed).ended) changed = `${changed.replace(/\n*$/, "\n")}#EXT-X-ENDLIST\n`;
  if (changed !== text) await writeFileAtomic(file, changed);
  return parsePlaylist(changed);
}
