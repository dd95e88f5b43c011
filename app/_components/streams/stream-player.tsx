"use client";

// The one video player of Canopy: live channels, the dashboard preview and recordings.
//
//   <StreamPlayer mode="live" src={channel.status === "ONLINE" ? channel.playlistUrl : null} poster={channel.thumbnailUrl} label="alice, live" />
//   <StreamPlayer mode="vod" src={vod.playlistUrl} poster={vod.posterUrl} label={vod.title} />
//
// Browsers with native HLS and no MediaSource (iPhone) get the playlist as the video's src; the
// others get hls.js, loaded with import() only when there is something to play, so pages without
// a player never download it. Live video starts muted (the only autoplay browsers allow) with an
// Unmute button; a fatal error is retried with back-off for as long as the stream is said to be live.
import type Hls from "hls.js";
import type { HlsConfig } from "hls.js";
import { useCallback, useEffect, useRef, useState } from "react";
import { cssUrl } from "./format";
import styles from "./stream-player.module.css";

type Mode = "live" | "vod";
type ChannelStatus = "OFFLINE" | "LURKING" | "ONLINE";

export type StreamPlayerProps = {
  mode: Mode;
  /** The HLS playlist, or null when there is nothing to play (the channel is offline). */
  src: string | null;
  /** Picture shown before playback and, live, while the channel is offline. */
  poster?: string;
  /** Accessible name of the video, e.g. "alice's live stream". */
  label: string;
  /** Live: what the channel reports, for the offline picture's wording. */
  status?: ChannelStatus;
  /** Live: headline and line shown while there is nothing to play. */
  offlineTitle?: string;
  offlineText?: string;
  /** False for the streamer's own preview: it stays muted (no echo of their own microphone). */
  allowUnmute?: boolean;
  className?: string;
};

const liveConfig: Partial<HlsConfig> = {
  lowLatencyMode: true,
  liveSyncDuration: 2,
  liveMaxLatencyDuration: 5,
  maxLiveSyncPlaybackRate: 1.5,
  backBufferLength: 30,
};

const vodConfig: Partial<HlsConfig> = {
  lowLatencyMode: false,
  backBufferLength: 90,
};

const nativeHlsType = "application/vnd.apple.mpegurl";

/**
 * Native HLS where the browser has it and hls.js could not run anyway (iPhone Safari: no classic
 * MediaSource). Everywhere MSE exists hls.js plays, with the low-latency settings above: recent
 * Chromium also answers "maybe" for HLS, but its native player has no such settings.
 */
function preferNativeHls(video: HTMLVideoElement): boolean {
  return video.canPlayType(nativeHlsType) !== "" && typeof window.MediaSource === "undefined";
}

export function StreamPlayer(props: StreamPlayerProps) {
  const { mode, src, poster, label, status = "OFFLINE", offlineTitle, offlineText, allowUnmute = true, className } = props;
  // Each attempt mounts a fresh <video>; a failure schedules the next one with back-off.
  const [attempt, setAttempt] = useState(0);
  const failures = useRef(0);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(retryTimer.current), []);

  const onFatal = useCallback(() => {
    clearTimeout(retryTimer.current);
    const delay = Math.min(1000 * 2 ** failures.current, 10_000);
    failures.current += 1;
    retryTimer.current = setTimeout(() => setAttempt((value) => value + 1), delay);
  }, []);
  const onPlaying = useCallback(() => {
    failures.current = 0;
  }, []);

  return (
    <div className={`${styles.player}${className ? ` ${className}` : ""}`} data-mode={mode}>
      {src ? (
        <VideoSurface
          key={`${src}#${attempt}`}
          mode={mode}
          src={src}
          poster={poster}
          label={label}
          allowUnmute={allowUnmute}
          onFatal={onFatal}
          onPlaying={onPlaying}
        />
      ) : (
        <OfflineSurface poster={poster} status={status} title={offlineTitle} text={offlineText} />
      )}
    </div>
  );
}

function OfflineSurface({ poster, status, title, text }: { poster?: string; status: ChannelStatus; title?: string; text?: string }) {
  const connecting = status !== "OFFLINE";
  return (
    <div className={styles.offline} data-testid="player-offline">
      {/* A background layer: a missing thumbnail shows the placeholder, not a broken image. */}
      {poster ? <span className={styles.offlinePicture} style={{ backgroundImage: cssUrl(poster) }} /> : null}
      <div className={styles.offlineText}>
        {connecting ? <span className="spinner" aria-hidden="true" /> : <span className="live-badge live-badge-muted">OFFLINE</span>}
        <p className={styles.offlineTitle}>{title ?? (connecting ? "Starting…" : "Offline")}</p>
        {text ? <p className={styles.offlineLine}>{text}</p> : null}
      </div>
    </div>
  );
}

type SurfaceProps = {
  mode: Mode;
  src: string;
  poster?: string;
  label: string;
  allowUnmute: boolean;
  onFatal: () => void;
  onPlaying: () => void;
};

type PlayState = "loading" | "playing" | "paused" | "waiting";

function VideoSurface({ mode, src, poster, label, allowUnmute, onFatal, onPlaying }: SurfaceProps) {
  const live = mode === "live";
  const frameRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [state, setState] = useState<PlayState>("loading");
  const [muted, setMuted] = useState(live);
  const [blocked, setBlocked] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let cancelled = false;
    let hls: Hls | null = null;
    // Only muted video may start by itself; the Unmute button is one tap away.
    video.muted = live;
    const start = () => {
      if (!live || cancelled) return;
      video.play().catch((reason: unknown) => {
        // NotAllowedError: the browser wants a tap first. Others (AbortError) are just reloads.
        if (!cancelled && (reason as Error | null)?.name === "NotAllowedError") setBlocked(true);
      });
    };
    const failed = (message: string) => {
      if (cancelled) return;
      if (live) onFatal();
      else setError(message);
    };

    if (preferNativeHls(video)) {
      const onError = () => failed("This recording could not be played.");
      video.addEventListener("error", onError);
      video.src = src;
      start();
      return () => {
        cancelled = true;
        video.removeEventListener("error", onError);
        video.removeAttribute("src");
        video.load();
      };
    }

    import("hls.js").then(
      ({ default: HlsClass }) => {
        if (cancelled) return;
        if (!HlsClass.isSupported()) {
          setError("This browser cannot play this video. Try a current version of Chrome, Firefox, Edge or Safari.");
          return;
        }
        const player = new HlsClass(live ? liveConfig : vodConfig);
        hls = player;
        hlsRef.current = player;
        let recoveredMedia = false;
        player.on(HlsClass.Events.MANIFEST_PARSED, start);
        player.on(HlsClass.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
            recoveredMedia = true;
            player.recoverMediaError();
            return;
          }
          failed(data.type === HlsClass.ErrorTypes.NETWORK_ERROR ? "The recording could not be loaded." : "This recording could not be played.");
        });
        player.loadSource(src);
        player.attachMedia(video);
      },
      // The player code itself did not arrive (network trouble): try again like any failure.
      () => failed("The video player could not be loaded. Check your connection and reload the page."),
    );

    return () => {
      cancelled = true;
      hls?.destroy();
      hlsRef.current = null;
      video.removeAttribute("src");
      video.load();
    };
  }, [src, live, onFatal]);

  function togglePlay() {
    const video = videoRef.current;
    if (!video) return;
    if (video.paused) {
      // Back to the live edge after a pause, instead of playing the past.
      const edge = hlsRef.current?.liveSyncPosition;
      if (live && edge != null && edge - video.currentTime > 5) video.currentTime = edge;
      video.play().then(
        () => setBlocked(false),
        (reason: unknown) => setBlocked((reason as Error | null)?.name === "NotAllowedError"),
      );
    } else {
      video.pause();
    }
  }

  function toggleMute() {
    const video = videoRef.current;
    if (!video) return;
    video.muted = !video.muted;
    if (!video.muted && video.volume === 0) video.volume = 1;
    // Unmuting is a user gesture: playback the browser refused may start now.
    if (video.paused) video.play().then(() => setBlocked(false), () => undefined);
  }

  function toggleFullscreen() {
    const frame = frameRef.current;
    const video = videoRef.current as (HTMLVideoElement & { webkitEnterFullscreen?: () => void }) | null;
    if (!frame || !video) return;
    if (document.fullscreenElement) {
      void document.exitFullscreen();
    } else if (frame.requestFullscreen) {
      frame.requestFullscreen().catch(() => video.webkitEnterFullscreen?.());
    } else {
      video.webkitEnterFullscreen?.(); // iPhone: only the video element itself goes full screen
    }
  }

  const showSpinner = !error && !blocked && (state === "loading" || state === "waiting");

  return (
    <div ref={frameRef} className={styles.surface}>
      <video
        ref={videoRef}
        className={styles.video}
        poster={poster}
        playsInline
        muted={live}
        autoPlay={live}
        controls={!live}
        preload={live ? "auto" : "metadata"}
        aria-label={label}
        data-testid="stream-video"
        onPlaying={() => {
          setState("playing");
          setBlocked(false);
          onPlaying();
        }}
        onPause={() => setState("paused")}
        onWaiting={() => setState("waiting")}
        onVolumeChange={(event) => setMuted(event.currentTarget.muted)}
      />

      {live ? (
        <>
          <div className={styles.topBar}>
            <span className="live-badge" data-testid="player-live-badge">
              LIVE
            </span>
          </div>

          {showSpinner ? (
            <div className={styles.center} aria-hidden="true">
              <span className={`spinner ${styles.bigSpinner}`} />
            </div>
          ) : null}

          {blocked && !error ? (
            <div className={styles.center}>
              <button type="button" className={styles.bigButton} onClick={togglePlay}>
                <PlayIcon /> Play
              </button>
            </div>
          ) : null}

          {allowUnmute && muted && !blocked && !error ? (
            <button type="button" className={styles.unmute} onClick={toggleMute}>
              <SoundIcon muted /> Unmute
            </button>
          ) : null}

          <div className={styles.controls}>
            <button type="button" className={styles.control} onClick={togglePlay} aria-label={state === "paused" ? "Play" : "Pause"}>
              {state === "paused" ? <PlayIcon /> : <PauseIcon />}
            </button>
            {allowUnmute ? (
              <button type="button" className={styles.control} onClick={toggleMute} aria-label={muted ? "Unmute" : "Mute"} aria-pressed={muted}>
                <SoundIcon muted={muted} />
              </button>
            ) : (
              <span className={styles.note}>Muted preview</span>
            )}
            <span className={styles.spacer} />
            <button type="button" className={styles.control} onClick={toggleFullscreen} aria-label="Full screen">
              <FullscreenIcon />
            </button>
          </div>
        </>
      ) : null}

      {error ? (
        <div className={`${styles.center} ${styles.error}`} role="alert">
          <p>{error}</p>
        </div>
      ) : null}
    </div>
  );
}

function PlayIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M8 5v14l11-7z" fill="currentColor" />
    </svg>
  );
}

function PauseIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M7 5h3.5v14H7zM13.5 5H17v14h-3.5z" fill="currentColor" />
    </svg>
  );
}

function SoundIcon({ muted }: { muted: boolean }) {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      {muted ? <path d="M17 9l5 6M22 9l-5 6" /> : <path d="M16.5 8.5a5 5 0 010 7M19 6a8.5 8.5 0 010 12" />}
    </svg>
  );
}

function FullscreenIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true">
      <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
    </svg>
  );
}
