import { callerOf, jsonRoute } from "@/server/http/route";
import { requestOrigin } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** The session's owner or staff: `{session_id, created_at, last_activity, page_info: {url, title}, …}`. */
export const GET = jsonRoute<{ id: string }>(async (request, context) => {
  const { id } = await context.params;
  const session = await services().render.info(await callerOf(request), id, requestOrigin(request));
  return Response.json(session, { headers: { "cache-control": "no-store" } });
});
