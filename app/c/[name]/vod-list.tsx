// A channel's recordings as cards: poster, duration, title, date.
import Link from "next/link";
import { LocalTime } from "../../_components/local-time";
import { cssUrl, formatDuration } from "../../_components/streams/format";
import type { RouterOutputs } from "../../_trpc/types";
import styles from "./channel.module.css";

type Vod = RouterOutputs["streams"]["vods"][number];

export function VodList({ channel, vods, heading = "Past broadcasts", currentId }: { channel: string; vods: Vod[]; heading?: string; currentId?: string }) {
  const shown = currentId ? vods.filter((vod) => vod.id !== currentId) : vods;
  return (
    <section aria-labelledby="vods-title" className={styles.vods}>
      <h2 id="vods-title">{heading}</h2>
      {shown.length === 0 ? (
        <p className="muted">{currentId ? "No other recordings." : `${channel} has no recordings yet. Live streams are recorded and listed here when they end.`}</p>
      ) : (
        <ul className={styles.vodGrid}>
          {shown.map((vod) => (
            <li key={vod.id}>
              <article className={styles.vodCard}>
                <Link href={`/c/${channel}/vod/${vod.id}`} className={`media-frame ${styles.vodThumb}`} tabIndex={-1} aria-hidden="true">
                  <span className="media-picture" style={{ backgroundImage: cssUrl(vod.posterUrl) }} />
                  <span className={styles.duration}>{formatDuration(vod.durationSeconds)}</span>
                </Link>
                <h3 className={styles.vodTitle}>
                  <Link href={`/c/${channel}/vod/${vod.id}`} className={styles.vodLink}>
                    {vod.title || "Untitled broadcast"}
                  </Link>
                </h3>
                <p className="muted small" style={{ margin: 0 }}>
                  <LocalTime value={vod.startedAt} />
                  <span aria-hidden="true"> · </span>
                  <span className="visually-hidden">, duration </span>
                  {formatDuration(vod.durationSeconds)}
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
