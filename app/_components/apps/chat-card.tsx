"use client";

// An app page attached to a chat message: a message linking to /a/<app>/<page> (as a path or a
// URL on this site) shows that page under it when staff allowed the page as a chat card. Only
// the newest few cards are live frames; older ones are links, so a long chat holds few frames.
import Link from "next/link";
import { AppFrame, type AppFrameUser } from "./app-frame";
import type { CardPage } from "./card-link";
import styles from "./chat-card.module.css";

export function ChatAppCard({ page, user, channel, live }: { page: CardPage; user: AppFrameUser; channel: string; live: boolean }) {
  return (
    <div className={styles.card}>
      {live ? (
        <AppFrame appId={page.appId} appName={page.appName} pageId={page.pageId} file={page.file} title={page.title} user={user} placement="chat-card" channel={channel} minHeight={120} maxHeight={360} />
      ) : (
        <Link href={`/a/${page.appId}/${page.pageId}`} className="button button-small">
          Open {page.title}
        </Link>
      )}
    </div>
  );
}
