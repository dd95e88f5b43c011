// One live channel on the explore grid. A server component: no client JS.
import Link from "next/link";
import type { PublicChannel } from "@/server/streams/channel-views";
import { cssUrl, directoryHref, formatCount } from "./format";
import styles from "./channel-card.module.css";
import { TagList } from "../tag-list";

export function ChannelCard({ channel }: { channel: PublicChannel }) {
  const href = `/c/${channel.name}`;
  const title = channel.title || `${channel.name}'s stream`;
  return (
    <article className={styles.card} aria-labelledby={`channel-${channel.name}-title`}>
      <Link href={href} className={`media-frame ${styles.thumb}`} tabIndex={-1} aria-hidden="true">
        <span className="media-picture" style={{ backgroundImage: cssUrl(channel.thumbnailUrl) }} />
        <span className={styles.badges}>
          {channel.status === "ONLINE" ? <span className="live-badge">LIVE</span> : <span className="live-badge live-badge-muted">STARTING</span>}
        </span>
        <span className={styles.viewers}>
          <EyeIcon />
          {formatCount(channel.viewers)}
        </span>
      </Link>
      <div className={styles.body}>
        <h3 className={styles.title} id={`channel-${channel.name}-title`}>
          <Link href={href} className={styles.titleLink}>
            {title}
          </Link>
        </h3>
        <p className={styles.meta}>
          <span className={styles.name}>{channel.name}</span>
          <span className="visually-hidden">
            , {channel.viewers} {channel.viewers === 1 ? "viewer" : "viewers"}
          </span>
          {channel.directory ? (
            <>
              <span aria-hidden="true"> · </span>
              <Link href={directoryHref(channel.directory)} className={styles.directory}>
                {channel.directory}
              </Link>
            </>
          ) : null}
        </p>
        <TagList tags={channel.tags} />
      </div>
    </article>
  );
}

function EyeIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" aria-hidden="true">
      <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z" />
      <circle cx="12" cy="12" r="3" />
    </svg>
  );
}
