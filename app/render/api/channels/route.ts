import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";
import { listLiveChannels } from "@/server/streams/channel-views";

export const dynamic = "force-dynamic";

/** Anyone: live channels in a form a thin client can read without a framework (the /thin page). */
export const GET = jsonRoute(async () => {
  const { db, presence } = services();
  const channels = await listLiveChannels({ prisma: db.prisma, presence, limit: 50 });
  return Response.json(
    { channels: channels.map((channel) => ({ name: channel.name, title: channel.title, viewers: channel.viewers, status: channel.status, path: `/c/${channel.name}` })) },
    { headers: { "cache-control": "no-store" } },
  );
});
