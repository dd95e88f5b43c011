import { parseMessage } from "./message-text";
import styles from "./chat-panel.module.css";

/** A message's text as React text nodes; http(s) links and @mentions become elements, nothing else does. */
export function MessageBody({ text, viewerUsername }: { text: string; viewerUsername: string | null }) {
  return (
    <span className={styles.text}>
      {parseMessage(text).map((segment, index) => {
        if (segment.kind === "link") {
          return (
            <a key={index} href={segment.href} target="_blank" rel="noopener noreferrer nofollow ugc" className={styles.link}>
              {segment.text}
            </a>
          );
        }
        if (segment.kind === "mention") {
          const self = segment.username === viewerUsername;
          return (
            <span key={index} className={styles.mention} data-self={self || undefined}>
              {segment.text}
            </span>
          );
        }
        return segment.text;
      })}
    </span>
  );
}
