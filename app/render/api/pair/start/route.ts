import { jsonRoute } from "@/server/http/route";
import { ok } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** Anyone (a thin device): a short code to type on a signed-in phone at /pair. */
export const POST = jsonRoute(async (request) => {
  const address = request.headers.get("x-canopy-remote-address") || "unknown";
  return ok(await services().render.pairStart(address));
});
