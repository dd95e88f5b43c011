import { z } from "zod";
import { jsonRoute } from "@/server/http/route";
import { ok, readOptionalJson } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ pairing_id: z.string().min(16).max(64) });

/** The thin device that started the pairing: pending, or once approved an API token of that user. */
export const POST = jsonRoute(async (request) => {
  const { pairing_id: pairingId } = await readOptionalJson(request, bodySchema);
  return ok(await services().render.pairPoll(pairingId));
});
