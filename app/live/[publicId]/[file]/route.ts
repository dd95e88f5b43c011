import { AppError } from "@/server/errors";
import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";
import { mediaPaths, publicIdPattern } from "@/server/streams/media-paths";
import { serveMediaFile } from "@/server/streams/serve-media";
import path from "node:path";

export const dynamic = "force-dynamic";

/** Anyone: a live stream's HLS playlist and segments, and its newest thumbnail, by public id. */
export const GET = jsonRoute<{ publicId: string; file: string }>(async (_request, { params }) => {
  const { publicId, file } = await params;
  if (!publicIdPattern.test(publicId)) throw new AppError("NOT_FOUND", "No such stream");
  const paths = mediaPaths(services().env.DATA_DIR);
  if (file === "thumbnail.jpg") {
    const thumbnail = paths.thumbnail(publicId);
    return serveMediaFile({ directory: path.dirname(thumbnail), file: path.basename(thumbnail), live: true });
  }
  return serveMediaFile({ directory: paths.liveDir(publicId), file, live: true });
});
