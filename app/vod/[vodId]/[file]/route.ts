import { AppError } from "@/server/errors";
import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";
import { mediaPaths, vodIdPattern } from "@/server/streams/media-paths";
import { serveMediaFile } from "@/server/streams/serve-media";

export const dynamic = "force-dynamic";

/** Anyone: a recording's HLS VOD playlist, segments and poster. */
export const GET = jsonRoute<{ vodId: string; file: string }>(async (_request, { params }) => {
  const { vodId, file } = await params;
  if (!vodIdPattern.test(vodId)) throw new AppError("NOT_FOUND", "No such recording");
  return serveMediaFile({ directory: mediaPaths(services().env.DATA_DIR).vodDir(vodId), file, live: false });
});
