import { z } from "zod";
import { createChannel } from "@/server/chat/create-channel";
import { channelNameSchema } from "@/server/chat/schemas";
import { requireSharedSecretOrStaff } from "@/server/http/privileged";
import { jsonRoute, readJson } from "@/server/http/route";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** Shared secret or staff: Ting's channel creation. */
export const POST = jsonRoute(async (request) => {
  await requireSharedSecretOrStaff(request);
  const { name } = await readJson(request, z.object({ name: channelNameSchema }));
  return Response.json(await createChannel({ prisma: services().db.prisma, name }), { status: 201 });
});
