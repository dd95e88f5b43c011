import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "../../../../_components/local-time";
import { formatBytes, formatDuration } from "../../../../_components/streams/format";
import { StreamPlayer } from "../../../../_components/streams/stream-player";
import { loadChannel, loadVod, loadVods } from "../../load";
import { VodList } from "../../vod-list";
import styles from "../../channel.module.css";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ name: string; id: string }> };

async function load(params: Params["params"]) {
  const { name, id } = await params;
  const [channel, vods, vod] = await Promise.all([loadChannel(name), loadVods(name), loadVod(name, id)]);
  return { channel, vods, vod };
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { channel, vod } = await load(params);
  return { title: `${vod.title || "Recording"} (${channel.name})` };
}

/** One recording, in the same player as the live stream. */
export default async function VodPage({ params }: Params) {
  const { channel, vods, vod } = await load(params);
  return (
    <div className="stack">
      <Link href={`/c/${channel.name}`} className={styles.back}>
        <span aria-hidden="true">←</span> {channel.name}&apos;s channel
      </Link>
      <div className={`${styles.bleed} ${styles.vodPlayer}`}>
        <StreamPlayer mode="vod" src={vod.playlistUrl} poster={vod.posterUrl} label={`Recording: ${vod.title || "untitled"}`} />
      </div>
      <header className={styles.vodHeader}>
        <h1 className={styles.title}>{vod.title || "Untitled broadcast"}</h1>
        <ul className={styles.facts} aria-label="About this recording">
          <li className={styles.channelName}>
            <span className={styles.avatar} aria-hidden="true">
              {channel.name[0]?.toUpperCase()}
            </span>
            {channel.name}
          </li>
          <li>
            Streamed <LocalTime value={vod.startedAt} />
          </li>
          <li>{formatDuration(vod.durationSeconds)}</li>
          <li>{formatBytes(vod.sizeBytes)}</li>
        </ul>
      </header>
      <VodList channel={channel.name} vods={vods} heading="More from this channel" currentId={vod.id} />
    </div>
  );
}
