"use client";

// Announces the new page title to screen readers after client-side navigation. It replaces
// Next.js's built-in announcer (hidden in globals.css), which uses role="alert": that made every
// page carry an empty alert, so real error messages were not the page's only alert.
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";

export function RouteAnnouncer() {
  const pathname = usePathname();
  const [message, setMessage] = useState("");
  const previous = useRef(pathname);

  useEffect(() => {
    if (previous.current === pathname) return; // the first load is announced by the browser
    previous.current = pathname;
    // The new title is applied just after the route commits.
    const timer = setTimeout(() => setMessage(document.title || document.querySelector("h1")?.textContent || ""), 150);
    return () => clearTimeout(timer);
  }, [pathname]);

  return (
    <p className="visually-hidden" aria-live="polite" aria-atomic="true">
      {message}
    </p>
  );
}
