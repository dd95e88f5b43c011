import Link from "next/link";
import { services } from "@/server/services";
import { ServiceList, statusSummary } from "./_components/service-list";
import { currentUser } from "./_lib/current-user";
import styles from "./page.module.css";

export const dynamic = "force-dynamic";

const features = [
  {
    title: "Live channels",
    text: "Every member has a channel named after their username. Go live from the browser; viewers watch from theirs.",
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

export default async function HomePage() {
  const user = await currentUser();
  const status = services().registry.status();

  return (
    <div className={styles.home}>
      <section className={styles.hero} aria-labelledby="hero-title">
        <p className="eyebrow">Live community platform</p>
        <h1 id="hero-title" className={styles.title}>
          Go live, chat and build apps, all in the browser.
        </h1>
        <p className={styles.lead}>
          Canopy brings live channels, chat and apps together in one place. Nothing to install: it runs in any browser, from a
          desktop down to a thin device.
        </p>
        <div className="button-row">
          {user ? (
            <>
              <Link href={`/chat/${user.username}`} className="button button-primary">
                Open your channel chat
              </Link>
              <Link href="/dev" className="button">
                Go to the Dev hub
              </Link>
              <Link href="/account" className="button">
                Your account
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

      <section className={`card ${styles.status}`} aria-labelledby="status-title">
        <div className="card-header">
          <h2 id="status-title">Service status</h2>
          <a href="/" className="small">
            Refresh
          </a>
        </div>
        <p className={styles.summary}>{statusSummary(status)}</p>
        <ServiceList status={status} />
        <p className="muted small">
          Checked when this page loaded. Canopy is being built in the open: services that are not running yet show as down.
          Machine-readable: <a href="/api/external/">GET /api/external/</a>
        </p>
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
    </div>
  );
}
