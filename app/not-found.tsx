import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <div className="message-page">
      <p className="eyebrow">Error 404</p>
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <div className="button-row">
        <Link href="/" className="button button-primary">
          Go to the home page
        </Link>
      </div>
    </div>
  );
}
