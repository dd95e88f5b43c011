import { z } from "zod";
import { callerOf, jsonRoute } from "@/server/http/route";
import { ok, readOptionalJson, requestOrigin } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ url: z.string({ error: "URL is required" }).min(1, "URL is required").max(2048) });

/** The session's owner or staff: load a Canopy page or an allow-listed URL. */
export const POST = jsonRoute<{ id: string }>(async (request, context) => {
  const { id } = await context.params;
  const caller = await callerOf(request);
  const { url } = await readOptionalJson(request, bodySchema);
  const session = await services().render.load(caller, id, url, requestOrigin(request));
  return ok({ message: `Loaded ${session.page_info.url}`, session_id: id, page_info: session.page_info });
});
