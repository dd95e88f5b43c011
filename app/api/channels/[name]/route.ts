import { findChannel } from "@/server/chat/find-channel";
import { channelNameSchema } from "@/server/chat/schemas";
import { AppError } from "@/server/errors";
import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** Anyone: Ting's channel lookup, `{name}` or 404. */
export const GET = jsonRoute<{ name: string }>(async (_request, { params }) => {
  const { name } = await params;
  const parsed = channelNameSchema.safeParse(name);
  const channel = parsed.success ? await findChannel({ prisma: services().db.prisma, name: parsed.data }) : null;
  if (!channel) throw new AppError("NOT_FOUND", `No channel #${name}`);
  return Response.json({ name: channel.name });
});
