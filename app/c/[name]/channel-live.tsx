"use client";

// The live part of a channel page: player, details and the chat beside it (below on phones).
// Polls the channel every 10 s, so the player attaches when the stream starts and shows the
// offline picture when it ends, without a reload.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { StreamPlayer } from "../../_components/streams/stream-player";
import { directoryHref, formatDuration, formatViewers, secondsSince } from "../../_components/streams/format";
import { useNow } from "../../_components/streams/use-now";
import { useTRPC } from "../../_trpc/client";
import type { RouterOutputs } from "../../_trpc/types";
import styles from "./channel.module.css";
import { TagList } from "../../_components/tag-list";

type Channel = RouterOutputs["streams"]["channel"];

export function ChannelLive({ initialChannel, isOwner, chat }: { initialChannel: Channel; isOwner: boolean; chat: ReactNode }) {
  const trpc = useTRPC();
  const { data: channel } = useQuery(
    trpc.streams.channel.queryOptions({ name: initialChannel.name }, { initialData: initialChannel, refetchInterval: 10_000, staleTime: 5_000 }),
  );
  const now = useNow(1000);
  const online = channel.status === "ONLINE";
  const title = channel.title || `${channel.name}'s channel`;
  const uptime = online && channel.liveStartedAt && now !== null ? formatDuration(secondsSince(channel.liveStartedAt, now)) : null;

  return (
    <div className={styles.layout}>
      <div className={`${styles.playerArea} ${styles.bleed} ${styles.bleedTop}`}>
        <StreamPlayer
          mode="live"
          src={online ? channel.playlistUrl : null}
          poster={channel.thumbnailUrl}
          status={channel.status}
          label={`${channel.name}'s live stream`}
          offlineTitle={channel.status === "LURKING" ? "Starting soon…" : `${channel.name} is offline`}
          offlineText={
            channel.status === "LURKING"
              ? "The streamer is connected; the video starts as soon as it arrives."
              : "This page switches to the stream by itself when it starts."
          }
        />
      </div>

      <aside className={styles.chatArea} aria-label="Chat">
        {chat}
      </aside>

      <section className={styles.info} aria-labelledby="channel-title">
        <div className={styles.titleRow}>
          <h1 id="channel-title" className={styles.title}>
            {title}
          </h1>
          {isOwner ? (
            <Link href="/dashboard" className="button button-small">
              Edit in dashboard
            </Link>
          ) : null}
        </div>

        <ul className={styles.facts} aria-label="About this stream">
          <li className={styles.channelName}>
            <span className={styles.avatar} aria-hidden="true">
              {channel.name[0]?.toUpperCase()}
            </span>
            {channel.name}
          </li>
          <li>
            {online ? (
              <span className="live-badge" data-testid="channel-live-badge">
                LIVE
              </span>
            ) : channel.status === "LURKING" ? (
              <span className="badge badge-zombie">Starting</span>
            ) : (
              <span className="badge">Offline</span>
            )}
          </li>
          {channel.live ? <li>{formatViewers(channel.viewers)}</li> : null}
          {uptime ? (
            <li>
              Live for <span className={styles.tabular}>{uptime}</span>
            </li>
          ) : null}
          {channel.directory ? (
            <li>
              <Link href={directoryHref(channel.directory)} className={styles.directory}>
                {channel.directory}
              </Link>
            </li>
          ) : null}
        </ul>

        <TagList tags={channel.tags} />

        {channel.description ? <p className={styles.description}>{channel.description}</p> : null}
      </section>
    </div>
  );
}
