import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { channelNameSchema } from "@/server/chat/schemas";
import { ChannelChat } from "../../_components/chat/channel-chat";
import { currentUser } from "../../_lib/current-user";
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
  return (
    <div className={styles.page}>
      <ChannelChat name={name} user={await currentUser()} headingLevel={1} />
    </div>
  );
}
