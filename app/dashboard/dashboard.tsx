"use client";

// The streamer dashboard. Refreshes status, stats and chart samples every 5 s.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, useSyncExternalStore } from "react";
import { CopyButton } from "../_components/copy-button";
import { codecLabel, formatBitrate, formatCount, formatDuration, secondsSince } from "../_components/streams/format";
import { LineChart } from "../_components/streams/line-chart";
import { StreamPlayer } from "../_components/streams/stream-player";
import { useNow } from "../_components/streams/use-now";
import { useTRPC } from "../_trpc/client";
import type { RouterOutputs } from "../_trpc/types";
import { InfoForm } from "./info-form";
import { StreamKeyPanel } from "./stream-key-panel";
import styles from "./dashboard.module.css";

type DashboardData = RouterOutputs["streams"]["dashboard"];
type Status = DashboardData["channel"]["status"];

const subscribeNothing = () => () => {};

/** The host viewers' encoders should reach: RTMP_PUBLIC_HOST when set, else this page's host. */
function useRtmpHost(configured: string | null): string {
  const pageHost = useSyncExternalStore(
    subscribeNothing,
    () => window.location.hostname,
    () => null,
  );
  return configured ?? pageHost ?? "…";
}

export function Dashboard({ initialDashboard, directories }: { initialDashboard: DashboardData; directories: string[] }) {
  const trpc = useTRPC();
  const { data, isError } = useQuery(trpc.streams.dashboard.queryOptions(undefined, { initialData: initialDashboard, refetchInterval: 5_000, staleTime: 2_000 }));
  const [freshKey, setFreshKey] = useState<string | null>(null);
  const host = useRtmpHost(data.rtmp.host);
  const serverUrl = `rtmp://${host}:${data.rtmp.port}/${data.rtmp.app}`;
  const { channel } = data;

  return (
    <div className="stack">
      <header className={`page-header ${styles.header}`}>
        <div>
          <h1>Dashboard</h1>
          <p>
            Your channel is <Link href={`/c/${channel.name}`}>/c/{channel.name}</Link>. Stream to it from OBS or any RTMP encoder.
          </p>
        </div>
        <StatusBadge status={channel.status} testId="stream-status" />
      </header>

      {isError ? (
        <p className="alert alert-warn" role="alert">
          Could not refresh the dashboard. Showing the last known state; retrying…
        </p>
      ) : null}

      <div className={styles.columns}>
        <div className={styles.column}>
          <PreviewCard data={data} hasKey={data.streamKey.set || freshKey !== null} />
          <HealthCard data={data} />
        </div>

        <div className={styles.column}>
          <section className="card" aria-labelledby="key-title">
            <h2 id="key-title">Stream key</h2>
            <StreamKeyPanel keyInfo={data.streamKey} live={channel.live} serverUrl={serverUrl} freshKey={freshKey} onFreshKey={setFreshKey} />
          </section>

          <section className="card" aria-labelledby="connect-title">
            <h2 id="connect-title">Connect your encoder</h2>
            <div className={styles.copyField}>
              <span className="label" id="rtmp-server-label">
                Server
              </span>
              <div className={`token-row ${styles.copyRow}`}>
                <code className="token-value" aria-labelledby="rtmp-server-label" data-testid="rtmp-server">
                  {/* Wraps before the app name on narrow screens rather than inside the port. */}
                  rtmp://{host}:{data.rtmp.port}
                  <wbr />/{data.rtmp.app}
                </code>
                <CopyButton text={serverUrl} describe="server URL" />
              </div>
            </div>
            <div className={styles.copyField}>
              <span className="label">Stream key</span>
              <p className="muted" style={{ margin: 0 }}>
                {freshKey ? "The key shown above." : data.streamKey.set ? `Your stream key (ending …${data.streamKey.hint}).` : "Generate a stream key first."}
              </p>
            </div>
            <p className="small muted">
              Encoders that take a single URL: <code>{serverUrl}/&lt;stream key&gt;</code>
              {freshKey ? " (copy it, key included, from the box above)." : "."}
            </p>
            <h3 className={styles.subTitle}>OBS settings</h3>
            <ol className={styles.steps}>
              <li>
                <strong>Settings → Stream</strong>: Service <em>Custom…</em>; paste the server and the stream key.
              </li>
              <li>
                <strong>Settings → Output</strong> (Output Mode <em>Advanced</em>): Keyframe Interval <strong>1 s</strong>. Viewers start faster and lag
                less behind you.
              </li>
              <li>Video encoder x264 or your GPU&apos;s H.264, rate control CBR, 2500–6000 kb/s; audio AAC.</li>
              <li>
                Press <strong>Start Streaming</strong>. The status above turns <em>Live</em> within a few seconds.
              </li>
            </ol>
          </section>

          <section className="card" aria-labelledby="details-title">
            <h2 id="details-title">Channel details</h2>
            <InfoForm initial={initialDashboard.channel} directories={directories} />
          </section>
        </div>
      </div>
    </div>
  );
}

export function StatusBadge({ status, testId }: { status: Status; testId?: string }) {
  if (status === "ONLINE")
    return (
      <span className="badge badge-live" data-testid={testId}>
        Live
      </span>
    );
  if (status === "LURKING")
    return (
      <span className="badge badge-zombie" data-testid={testId} title="Your encoder is connected but no video is arriving yet">
        Connected, no media
      </span>
    );
  return (
    <span className="badge" data-testid={testId}>
      Offline
    </span>
  );
}

function PreviewCard({ data, hasKey }: { data: DashboardData; hasKey: boolean }) {
  const { channel } = data;
  const online = channel.status === "ONLINE";
  return (
    <section className="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <StreamPlayer
        mode="live"
        src={online ? channel.playlistUrl : null}
        poster={channel.thumbnailUrl}
        status={channel.status}
        label="Preview of your live stream"
        allowUnmute={false}
        offlineTitle={channel.status === "LURKING" ? "Connected, no media yet" : "You are offline"}
        offlineText={
          channel.status === "LURKING"
            ? "Your encoder is connected, but no video has arrived. Check that OBS is sending video and audio."
            : hasKey
              ? "Start streaming in OBS; the preview appears here."
              : "Generate a stream key, then start streaming in OBS."
        }
      />
      <p className={`small muted ${styles.previewNote}`}>
        Viewers watch at <Link href={`/c/${channel.name}`}>/c/{channel.name}</Link>. The preview is muted and a few seconds behind your encoder.
      </p>
    </section>
  );
}

function HealthCard({ data }: { data: DashboardData }) {
  const { channel, stats, samples } = data;
  const now = useNow(1000);
  const uptimeSeconds = channel.live && channel.liveStartedAt && now !== null ? secondsSince(channel.liveStartedAt, now) : (stats?.uptimeSeconds ?? null);
  const viewerPoints = samples.map((sample) => ({ at: sample.at, value: sample.viewers }));
  const bitratePoints = samples.map((sample) => ({ at: sample.at, value: sample.bitrateKbps }));

  return (
    <section className="card" aria-labelledby="health-title">
      <h2 id="health-title">Stream health</h2>
      {stats ? (
        <dl className={styles.stats} data-testid="stream-stats">
          <div>
            <dt>Bitrate</dt>
            <dd>{formatBitrate(stats.bitrateKbps)}</dd>
          </div>
          <div>
            <dt>Resolution</dt>
            <dd>{stats.width && stats.height ? `${stats.width}×${stats.height}` : "—"}</dd>
          </div>
          <div>
            <dt>Frame rate</dt>
            <dd>{stats.fps ? `${Math.round(stats.fps * 100) / 100} fps` : "—"}</dd>
          </div>
          <div>
            <dt>Codecs</dt>
            <dd>
              {codecLabel(stats.videoCodec)} / {codecLabel(stats.audioCodec)}
            </dd>
          </div>
          <div>
            <dt>Uptime</dt>
            <dd>{uptimeSeconds !== null ? formatDuration(uptimeSeconds) : "—"}</dd>
          </div>
          <div>
            <dt>Viewers</dt>
            <dd>{formatCount(channel.viewers)}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">{channel.live ? "Waiting for the first stats from the ingest…" : "Bitrate, resolution, frame rate and viewers show here while you are live."}</p>
      )}
      {channel.live || samples.length ? (
        <div className={styles.charts}>
          <LineChart title="Viewers" points={viewerPoints} format={formatCount} empty="The chart fills in while you are live." />
          <LineChart title="Bitrate" points={bitratePoints} format={formatBitrate} empty="The chart fills in while you are live." />
        </div>
      ) : null}
    </section>
  );
}
