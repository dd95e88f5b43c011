import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "../../_lib/current-user";
import { ChannelLive } from "./channel-live";
import { ChannelChat } from "../../_components/chat/channel-chat";
import { loadChannel, loadVods } from "./load";
import { VodList } from "./vod-list";
import { listShownPages } from "@/server/apps/pages/page-state";
import { services } from "@/server/services";
import { ChannelSideTabs } from "../../_components/apps/channel-side-tabs";
import { frameUserOf } from "../../_components/apps/frame-user";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const channel = await loadChannel((await params).name);
  return {
    title: channel.title ? `${channel.title} (${channel.name})` : `${channel.name}'s channel`,
    description: channel.description || `Watch ${channel.name} live on Canopy.`,
  };
}

/** A channel: the live player with its details and chat, then the recordings. */
export default async function ChannelPage({ params }: Params) {
  const { name } = await params;
  const [channel, vods, user, tabPages] = await Promise.all([
    loadChannel(name),
    loadVods(name),
    currentUser(),
    listShownPages({ prisma: services().db.prisma, placement: "channel-tab" }),
  ]);
  if (channel.name !== name) redirect(`/c/${channel.name}`);
  const isOwner = user?.username === channel.name;

  return (
    <div className="stack">
      <ChannelLive
        initialChannel={channel}
        isOwner={isOwner}
        chat={
          tabPages.length ? (
            <ChannelSideTabs
              chat={<ChannelChat name={channel.name} user={user} headingLevel={2} />}
              pages={tabPages.map(({ appId, appName, pageId, title, file }) => ({ appId, appName, pageId, title, file }))}
              user={frameUserOf(user)}
              channel={channel.name}
            />
          ) : (
            <ChannelChat name={channel.name} user={user} headingLevel={2} />
          )
        }
      />
      <VodList channel={channel.name} vods={vods} />
    </div>
  );
}
