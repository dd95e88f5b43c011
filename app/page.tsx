import Link from "next/link";
import { services } from "@/server/services";
import { ChannelCard } from "./_components/streams/channel-card";
import { directoryHref } from "./_components/streams/format";
import { ServiceList, statusSummary } from "./_components/service-list";
import { currentUser } from "./_lib/current-user";
import { serverCaller } from "./_lib/server-caller";
import styles from "./page.module.css";

export const dynamic = "force-dynamic";

const features = [
  {
    title: "Live channels",
    text: "Every member has a channel named after their username. Stream with OBS or any RTMP encoder; viewers watch in the browser.",
  },
  {
    title: "Chat",
    text: "Each channel has live chat beside it, so the people watching and the person streaming talk in real time.",
  },
  {
    title: "Apps",
    text: "Developers build apps online, right on Canopy: server scripts, HTTP endpoints and pages, with no setup of their own.",
  },
  {
    title: "Thin devices",
    text: "Screens that can't do much on their own, like TVs, kiosks and old phones, can join in too: the server does the heavy lifting.",
  },
];

/** The explore page: who is live (optionally in one directory), then what Canopy is, then health. */
export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await currentUser();
  const params = await searchParams;
  const requested = Array.isArray(params.directory) ? params.directory[0] : params.directory;
  const directory = requested?.trim().slice(0, 40) || undefined;

  const caller = await serverCaller();
  const [channels, directories] = await Promise.all([caller.streams.live({ directory }), caller.streams.directories()]);
  const filters = directory && !directories.includes(directory) ? [...directories, directory] : directories;
  const status = services().registry.status();

  return (
    <div className={styles.home}>
      <section className={styles.hero} aria-labelledby="hero-title">
        <p className="eyebrow">Live community platform</p>
        <h1 id="hero-title" className={styles.title}>
          Go live, chat and build apps, all in the browser.
        </h1>
        <p className={styles.lead}>
          Canopy brings live channels, chat and apps together in one place. Nothing to install: it runs in any browser, from a desktop down to a
          thin device.
        </p>
        <div className="button-row">
          {user ? (
            <>
              <Link href="/dashboard" className="button button-primary">
                Go live
              </Link>
              <Link href={`/c/${user.username.toLowerCase()}`} className="button">
                Your channel
              </Link>
              <Link href="/dev" className="button">
                Dev hub
              </Link>
            </>
          ) : (
            <>
              <Link href="/signup" className="button button-primary">
                Sign up, it&apos;s free
              </Link>
              <Link href="/dev" className="button">
                Go to the Dev hub
              </Link>
            </>
          )}
        </div>
        {user ? (
          <p className={`muted small ${styles.greeting}`}>
            Signed in as <strong>{user.displayName}</strong>.
          </p>
        ) : null}
      </section>

      <section className={styles.live} aria-labelledby="live-title">
        <div className={styles.liveHeader}>
          <h2 id="live-title">{directory ? `Live in ${directory}` : "Live now"}</h2>
          <p className="muted small" style={{ margin: 0 }}>
            {channels.length === 0 ? "No channels" : channels.length === 1 ? "1 channel" : `${channels.length} channels`}
          </p>
        </div>

        {filters.length ? (
          <nav aria-label="Directories" className={styles.filters}>
            <ul>
              <li>
                <Link href="/" className={styles.filter} aria-current={directory ? undefined : "page"}>
                  All
                </Link>
              </li>
              {filters.map((name) => (
                <li key={name}>
                  <Link href={directoryHref(name)} className={styles.filter} aria-current={directory === name ? "page" : undefined}>
                    {name}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}

        {channels.length ? (
          <ul className={styles.grid}>
            {channels.map((channel) => (
              <li key={channel.name}>
                <ChannelCard channel={channel} />
              </li>
            ))}
          </ul>
        ) : (
          <div className={styles.empty} data-testid="live-empty">
            <svg width="48" height="48" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" aria-hidden="true">
              <rect x="3" y="6" width="13" height="12" rx="2" />
              <path d="M16 10l5-3v10l-5-3" />
              <path d="M3 3l18 18" />
            </svg>
            <h3>{directory ? `Nobody is live in ${directory} right now` : "Nobody is live right now"}</h3>
            <p className="muted">
              {directory ? (
                <>
                  Check back later, or <Link href="/">see every live channel</Link>.
                </>
              ) : (
                "Channels show up here the moment they go live. Check back soon, or start a stream of your own."
              )}
            </p>
            {user ? (
              <Link href="/dashboard" className="button button-primary">
                Start streaming
              </Link>
            ) : (
              <Link href="/signup" className="button">
                Sign up to stream
              </Link>
            )}
          </div>
        )}
      </section>

      <section className={styles.features} aria-labelledby="features-title">
        <h2 id="features-title" className="visually-hidden">
          What Canopy does
        </h2>
        <ul className={styles.featureList}>
          {features.map((feature) => (
            <li key={feature.title} className="card">
              <h3>{feature.title}</h3>
              <p className="muted">{feature.text}</p>
            </li>
          ))}
        </ul>
      </section>

      <section className={`card ${styles.status}`} aria-labelledby="status-title">
        <div className="card-header">
          <h2 id="status-title">Service status</h2>
          <a href="/" className={`small ${styles.refresh}`}>
            Refresh
          </a>
        </div>
        <p className={styles.summary}>{statusSummary(status)}</p>
        <ServiceList status={status} />
        <p className="muted small">
          Checked when this page loaded. Services that are not running yet show as down. Machine-readable:{" "}
          <a href="/api/external/">GET /api/external/</a>
        </p>
      </section>
    </div>
  );
}
