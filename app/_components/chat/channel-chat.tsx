// A channel's live chat with its newest history page rendered on the server: beside the player
// on /c/<channel> and on its own at /chat/<channel>. An unknown channel is the 404 page.
import { notFound } from "next/navigation";
import { findChannel } from "@/server/chat/find-channel";
import { canModerate } from "@/server/chat/moderation-rights";
import { services } from "@/server/services";
import type { CurrentUser } from "../../_lib/current-user";
import { serverCaller } from "../../_lib/server-caller";
import { ChatPanel } from "./chat-panel";
import { listShownPages } from "@/server/apps/pages/page-state";
import { frameUserOf } from "../apps/frame-user";
import { historyPageSize } from "./message-list";

export async function ChannelChat({ name, user, headingLevel }: { name: string; user: CurrentUser | null; headingLevel: 1 | 2 }) {
  const { db, env } = services();
  const channel = await findChannel({ prisma: db.prisma, name });
  if (!channel) notFound();
  const [history, cardPages] = await Promise.all([
    (await serverCaller()).chat.history({ channel: channel.name, limit: historyPageSize }),
    listShownPages({ prisma: db.prisma, placement: "chat-card" }),
  ]);
  return (
    <ChatPanel
      channel={channel.name}
      viewer={user ? { username: user.username, role: user.role } : null}
      canModerate={canModerate(user, channel)}
      initialMessages={history}
      initialSettings={{ slowModeSeconds: channel.slowModeSeconds, chatDisabled: channel.chatDisabled }}
      maxLength={env.CHAT_MAX_MESSAGE_LENGTH}
      headingLevel={headingLevel}
      appCards={{ pages: cardPages.map(({ appId, appName, pageId, title, file }) => ({ appId, appName, pageId, title, file })), user: frameUserOf(user) }}
    />
  );
}
