"use client";

// An app page attached to a chat message: a message linking to /a/<app>/<page> (as a path or a
// URL on this site) shows that page under it when staff allowed the page as a chat card. Only
// the newest few cards are live frames; older ones are links, so a long chat holds few frames.
import Link from "next/link";
import { AppFrame, type AppFrameUser } from "./app-frame";
import styles from "./chat-card.module.css";

export type CardPage = { appId: string; pageId: string; title: string; file: string };

/** Live frames at once in one chat. */
export const liveCardLimit = 3;

const pageLink = /(?:^|\s)(?:https?:\/\/([^\s/]+))?\/a\/([a-z0-9-]{2,40})\/([a-z0-9-]{1,40})\/?(?=[\s.,!?)]|$)/;

/** The card page a message links to, if any. */
export function cardPageOf(text: string, pages: readonly CardPage[], host: string | null): CardPage | null {
  const match = pageLink.exec(text);
  if (!match) return null;
  const [, linkHost, appId, pageId] = match;
  if (linkHost && linkHost !== host) return null;
  return pages.find((page) => page.appId === appId && page.pageId === pageId) ?? null;
}

export function ChatAppCard({ page, user, channel, live }: { page: CardPage; user: AppFrameUser; channel: string; live: boolean }) {
  return (
    <div className={styles.card}>
      {live ? (
        <AppFrame appId={page.appId} pageId={page.pageId} file={page.file} title={page.title} user={user} placement="chat-card" channel={channel} minHeight={120} maxHeight={360} />
      ) : (
        <Link href={`/a/${page.appId}/${page.pageId}`} className="button button-small">
          Open {page.title}
        </Link>
      )}
    </div>
  );
}
