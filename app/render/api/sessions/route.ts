import { callerOf, jsonRoute } from "@/server/http/route";
import { requestOrigin } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** Members: their render sessions; staff: every session. */
export const GET = jsonRoute(async (request) => {
  const caller = await callerOf(request);
  return Response.json(await services().render.list(caller, requestOrigin(request)), { headers: { "cache-control": "no-store" } });
});
