// ─── CHAT SLOT ────────────────────────────────────────────────────────────────────────────────
// Placeholder for the channel's live chat. The chat panel (app/_components/chat/chat-panel.tsx,
// `<ChatPanel channel viewer canModerate />`) is being built on another branch; once it is merged
// this renders it instead of the link below. Props are already what the panel takes.
import Link from "next/link";
import styles from "./channel.module.css";

export type ChatSlotProps = {
  channel: string;
  viewer: { username: string; role: string } | null;
  canModerate: boolean;
};

export function ChatSlot({ channel }: ChatSlotProps) {
  return (
    <section aria-label="Chat" className={styles.chatSlot} data-slot="chat">
      <h2 className={styles.chatSlotTitle}>Chat</h2>
      <p className="muted small">Chat with {channel} and the people watching.</p>
      <Link href={`/chat/${channel}`} className="button" prefetch={false}>
        Open the chat
      </Link>
    </section>
  );
}
