import { z } from "zod";
import { AppError } from "@/server/errors";
import { callerOf, jsonRoute } from "@/server/http/route";
import { renderInputSchema } from "@/server/internal/protocol";
import { ok, readOptionalJson } from "@/server/render/http";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

const kinds = z.enum(["click", "scroll", "text", "key"]);

/** The session's owner or staff: Jiomosa's REST input (the socket events are the fast path). */
export const POST = jsonRoute<{ id: string; kind: string }>(async (request, context) => {
  const { id, kind } = await context.params;
  const parsedKind = kinds.safeParse(kind);
  if (!parsedKind.success) throw new AppError("NOT_FOUND", `No input kind ${kind}`);
  const body = await readOptionalJson(request, z.record(z.string(), z.unknown()));
  const input = renderInputSchema.safeParse({ deltaX: 0, deltaY: 0, ...body, type: parsedKind.data });
  if (!input.success) throw new AppError("BAD_REQUEST", `Invalid ${kind} input`);
  const { render } = services();
  await render.authorize(await callerOf(request), id);
  await render.input(id, input.data);
  return ok({ message: `${kind} sent` });
});
