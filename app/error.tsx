"use client";

import Link from "next/link";
import { useEffect } from "react";

/** Error boundary for every page below the root layout. */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;

  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <div className="message-page" role="alert">
      <p className="eyebrow">Error</p>
      <h1>Something went wrong</h1>
      <p className="muted">This page could not be shown. It may be a temporary problem; trying again often helps.</p>
      {digest ? (
        <p className="muted small">
          Reference: <code>{digest}</code>
        </p>
      ) : null}
      <div className="button-row">
        <button type="button" className="button button-primary" onClick={() => retry()}>
          Try again
        </button>
        <Link href="/" className="button">
          Go to the home page
        </Link>
      </div>
    </div>
  );
}
