import { callerOf, jsonRoute } from "@/server/http/route";
import { ok } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** The session's owner or staff: postpone the idle timeout. */
export const POST = jsonRoute<{ id: string }>(async (request, context) => {
  const { id } = await context.params;
  const session = await services().render.keepalive(await callerOf(request), id);
  return ok({ session_id: id, last_activity: session.last_activity, message: "Keepalive successful" });
});
