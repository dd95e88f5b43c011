import { AppError } from "@/server/errors";
import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";
import { getStreamStats } from "@/server/streams/stream-status";
import { usernameParam } from "@/server/streams/username-param";

export const dynamic = "force-dynamic";

/** Anyone: Open360's stream stats of a channel. */
export const GET = jsonRoute(async (request) => {
  const username = usernameParam(request);
  const stats = await getStreamStats({ prisma: services().db.prisma, presence: services().presence, username });
  if (!stats) throw new AppError("NOT_FOUND", `No channel for ${username}`);
  return Response.json(stats);
});
