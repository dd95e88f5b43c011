import { errorBody, AppError } from "@/server/errors";
import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";
import { getStreamStatus } from "@/server/streams/stream-status";
import { usernameParam } from "@/server/streams/username-param";

export const dynamic = "force-dynamic";

/** Anyone: Open360's `{streamStatus, code}`; an unknown user is UNKNOWN (3) with a 404. */
export const GET = jsonRoute(async (request) => {
  const username = usernameParam(request);
  const status = await getStreamStatus({ prisma: services().db.prisma, username });
  if (status.streamStatus !== "UNKNOWN") return Response.json(status);
  return Response.json({ ...status, ...errorBody(new AppError("NOT_FOUND", `No channel for ${username}`)) }, { status: 404 });
});
