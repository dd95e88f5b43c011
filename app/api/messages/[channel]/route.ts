import { z } from "zod";
import { channelHistory, maxHistoryLimit } from "@/server/chat/history";
import { channelNameSchema } from "@/server/chat/schemas";
import { storePrivilegedMessage } from "@/server/chat/store-privileged-message";
import { AppError, describeIssues } from "@/server/errors";
import { requireSharedSecret } from "@/server/http/privileged";
import { jsonRoute, readJson } from "@/server/http/route";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

type Params = { channel: string };

function channelOf(raw: string): string {
  const parsed = channelNameSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("NOT_FOUND", `No channel #${raw}`);
  return parsed.data;
}

const limitSchema = z.coerce.number().int().min(1).max(maxHistoryLimit);

/** Anyone: Ting's history, newest first; `lim` (default 100, at most 1000). */
export const GET = jsonRoute<Params>(async (request, { params }) => {
  const channel = channelOf((await params).channel);
  const lim = new URL(request.url).searchParams.get("lim");
  const limit = lim === null ? { success: true as const, data: 100 } : limitSchema.safeParse(lim);
  if (!limit.success) throw new AppError("BAD_REQUEST", `lim: ${describeIssues(limit.error.issues)}`);
  return Response.json(await channelHistory({ prisma: services().db.prisma, channel, limit: limit.data }));
});

const postSchema = z.object({
  text: z.string().min(1).max(10_000),
  username: z.string().min(1).max(40),
  // Epoch ms; beyond what a Date holds it would be an Invalid Date.
  datetime: z.number().int().nonnegative().max(8.64e15).optional(),
});

/** Shared secret only: Ting's privileged persist; the message is also delivered live. */
export const POST = jsonRoute<Params>(async (request, { params }) => {
  requireSharedSecret(request);
  const channel = channelOf((await params).channel);
  const body = await readJson(request, postSchema);
  const view = await storePrivilegedMessage({ prisma: services().db.prisma, channel, ...body });
  services().chat.message(view);
  return Response.json(view, { status: 201 });
});
