// POST /api/apps/<appId>/deploy (staff): applies a CCF set_js_app proposal to the app.
import { AppError } from "@/server/errors";
import { callerOf, jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";
import { parseCcfProposal } from "@/server/apps/ccf-proposal";
import { deployBundle } from "@/server/apps/deploy-bundle";

export const POST = jsonRoute<{ appId: string }>(async (request, context) => {
  const caller = await callerOf(request);
  if (!caller) throw new AppError("UNAUTHORIZED", "Sign in, or send an API token");
  if (caller.role !== "STAFF") throw new AppError("FORBIDDEN", "Only staff deploy apps");
  const { appId } = await context.params;
  const limit = services().env.MAX_BODY_BYTES;
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw new AppError("PAYLOAD_TOO_LARGE", `Body larger than ${limit} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "Body is not valid JSON");
  }
  const { bundle, disableBytecodeCache } = parseCcfProposal(json);
  const { db, apps } = services();
  const result = await deployBundle({ prisma: db.prisma, runtime: apps, appId, bundle, disableBytecodeCache, actorId: caller.userId, source: "deploy" });
  return Response.json(result, { status: result.ok ? 200 : 400 });
});
