// Where the worker's ingest writes media and the server reads it from: one convention shared by
// both, under DATA_DIR/media. URLs use the channel's public id; stream keys never name a file.
import path from "node:path";

export const publicIdPattern = /^[a-z0-9]{8,32}$/;
export const vodIdPattern = /^[a-z0-9-]{8,64}$/;

export function mediaPaths(dataDir: string) {
  const root = path.resolve(dataDir, "media");
  return {
    root,
    /** Live HLS of one stream: index.m3u8 and its segments (a sliding window). */
    liveDir: (publicId: string) => path.join(root, "live", publicId),
    /** Newest thumbnail of a channel's stream. */
    thumbnail: (publicId: string) => path.join(root, "thumbs", `${publicId}.jpg`),
    /** One recording: index.m3u8 (HLS VOD, ENDLIST) and its segments, plus poster.jpg. */
    vodDir: (vodId: string) => path.join(root, "vod", vodId),
  };
}
