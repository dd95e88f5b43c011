import { callerOf, jsonRoute } from "@/server/http/route";
import { ok } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** The session's owner or staff: close it (POST or DELETE, as Jiomosa). */
const close = jsonRoute<{ id: string }>(async (request, context) => {
  const { id } = await context.params;
  await services().render.close(await callerOf(request), id);
  return ok({ message: `Session ${id} closed` });
});

export { close as POST, close as DELETE };
