// POST /api/apps/<appId>/deploy (staff): applies a CCF set_js_app proposal to the app, recorded
// and audited as a proposal accepted by the caller (server/review/deploy-as-staff.ts).
import { z } from "zod";
import { AppError } from "@/server/errors";
import { callerOf, jsonRoute, readJson } from "@/server/http/route";
import { deployAsStaff } from "@/server/review/deploy-as-staff";
import { reviewDeps } from "@/server/review/review-services";

export const POST = jsonRoute<{ appId: string }>(async (request, context) => {
  const caller = await callerOf(request);
  if (!caller) throw new AppError("UNAUTHORIZED", "Sign in, or send an API token");
  if (caller.role !== "STAFF") throw new AppError("FORBIDDEN", "Only staff deploy apps");
  const { appId } = await context.params;
  const proposal = await readJson(request, z.unknown());
  const result = await deployAsStaff({ deps: reviewDeps(), actor: caller, appId, proposal });
  return Response.json(result, { status: result.ok ? 200 : 400 });
});
