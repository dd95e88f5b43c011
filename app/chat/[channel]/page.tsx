import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findChannel } from "@/server/chat/find-channel";
import { canModerate } from "@/server/chat/moderation-rights";
import { channelNameSchema } from "@/server/chat/schemas";
import { services } from "@/server/services";
import { ChatPanel } from "../../_components/chat/chat-panel";
import { historyPageSize } from "../../_components/chat/message-list";
import { currentUser } from "../../_lib/current-user";
import { serverCaller } from "../../_lib/server-caller";
import styles from "./page.module.css";

export const dynamic = "force-dynamic";

type Params = Promise<{ channel: string }>;

function channelName(raw: string): string | null {
  const parsed = channelNameSchema.safeParse(decodeURIComponent(raw));
  return parsed.success ? parsed.data : null;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const name = channelName((await params).channel);
  return { title: name ? `#${name}` : "Chat" };
}

export default async function ChatPage({ params }: { params: Params }) {
  const name = channelName((await params).channel);
  if (!name) notFound();
  const user = await currentUser();
  const { db, env } = services();
  const channel = await findChannel({ prisma: db.prisma, name });
  if (!channel) notFound();
  const history = await (await serverCaller()).chat.history({ channel: channel.name, limit: historyPageSize });

  return (
    <div className={styles.page}>
      <ChatPanel
        channel={channel.name}
        viewer={user ? { username: user.username, role: user.role } : null}
        canModerate={canModerate(user, channel)}
        initialMessages={history}
        initialSettings={{ slowModeSeconds: channel.slowModeSeconds, chatDisabled: channel.chatDisabled }}
        maxLength={env.CHAT_MAX_MESSAGE_LENGTH}
        headingLevel={1}
      />
    </div>
  );
}
