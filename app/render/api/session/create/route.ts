import { z } from "zod";
import { callerOf, jsonRoute } from "@/server/http/route";
import { ok, readOptionalJson, requestOrigin } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

const bodySchema = z.object({
  /** A Canopy page ("/c/alice" or its full URL) or an allow-listed URL to load at once. */
  url: z.string().max(2048).optional(),
  /** The device's screen: the page is laid out and streamed at this size. */
  width: z.number().int().min(64).max(1920).optional(),
  height: z.number().int().min(64).max(1920).optional(),
  quality: z.number().int().min(1).max(100).optional(),
  fps: z.number().int().min(1).max(60).optional(),
  adaptive: z.boolean().optional(),
  // Jiomosa lets clients name the session; Canopy's ids are always random (unguessable), so a
  // given `session_id` is ignored.
  session_id: z.unknown().optional(),
});

/** Members (session cookie or API token): a new render session → 201. */
export const POST = jsonRoute(async (request) => {
  const caller = await callerOf(request);
  const body = await readOptionalJson(request, bodySchema);
  const origin = requestOrigin(request);
  const session = await services().render.create(caller, body, origin);
  // Jiomosa names where to connect; with Socket.IO that is the origin plus the namespace.
  return ok({ ...session, websocket_url: `${origin}/render`, websocket: { url: origin, namespace: "/render", path: "/socket.io/" } }, 201);
});
