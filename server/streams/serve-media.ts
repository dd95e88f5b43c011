// Serves HLS playlists, segments and thumbnails from the media folder. Names are checked
// against strict patterns so no request can reach outside it.
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors";

const contentTypes: Record<string, string> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".jpg": "image/jpeg",
};
const fileNamePattern = /^[A-Za-z0-9_-]{1,64}\.(m3u8|ts|m4s|mp4|jpg)$/;

export async function serveMediaFile(options: { directory: string; file: string; live: boolean }): Promise<Response> {
  if (!fileNamePattern.test(options.file)) throw new AppError("NOT_FOUND", "No such file");
  const full = path.join(options.directory, options.file);
  const stat = await fs.promises.stat(full).catch(() => null);
  if (!stat?.isFile()) throw new AppError("NOT_FOUND", "No such file");
  const extension = path.extname(options.file);
  const body = await fs.promises.readFile(full);
  // Live playlists change every segment; segments and recordings never change.
  const cacheControl = extension === ".m3u8" && options.live ? "no-cache, no-store" : extension === ".jpg" ? "public, max-age=5" : "public, max-age=86400, immutable";
  return new Response(new Uint8Array(body), {
    headers: { "content-type": contentTypes[extension]!, "cache-control": cacheControl, "content-length": String(body.length), "access-control-allow-origin": "*" },
  });
}
