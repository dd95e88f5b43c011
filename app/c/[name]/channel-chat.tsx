// The channel's live chat beside the player: the chat panel with its newest history page
// rendered on the server, as on /chat/<channel>.
import { findChannel } from "@/server/chat/find-channel";
import { canModerate } from "@/server/chat/moderation-rights";
import { services } from "@/server/services";
import { ChatPanel } from "../../_components/chat/chat-panel";
import { historyPageSize } from "../../_components/chat/message-list";
import type { CurrentUser } from "../../_lib/current-user";
import { serverCaller } from "../../_lib/server-caller";

export async function ChannelChat({ name, user }: { name: string; user: CurrentUser | null }) {
  const { db, env } = services();
  const channel = await findChannel({ prisma: db.prisma, name });
  if (!channel) return null;
  const history = await (await serverCaller()).chat.history({ channel: channel.name, limit: historyPageSize });
  return (
    <ChatPanel
      channel={channel.name}
      viewer={user ? { username: user.username, role: user.role } : null}
      canModerate={canModerate(user, channel)}
      initialMessages={history}
      initialSettings={{ slowModeSeconds: channel.slowModeSeconds, chatDisabled: channel.chatDisabled }}
      maxLength={env.CHAT_MAX_MESSAGE_LENGTH}
      headingLevel={2}
    />
  );
}
