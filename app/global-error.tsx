"use client";

// Replaces the root layout when the layout itself fails, so it brings its own document and styles
// (globals.css is not loaded here). Colours follow the OS, or the theme chosen with the toggle.
import { useEffect, useLayoutEffect } from "react";

const styles = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5}
:root[data-theme=light]{color-scheme:light}:root[data-theme=dark]{color-scheme:dark}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:Canvas;color:CanvasText;padding:1.5rem}
main{max-width:32rem;text-align:center}
h1{font-size:1.75rem;margin:0 0 .5rem}
p{margin:0 0 1.25rem;opacity:.8}
.row{display:flex;flex-wrap:wrap;gap:.75rem;justify-content:center}
button,a{display:inline-flex;align-items:center;justify-content:center;min-height:44px;padding:.5rem 1rem;border-radius:6px;font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
button{background:#1d7a46;color:#fff;border:1px solid #1d7a46}
a{color:inherit;border:1px solid currentColor}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
`;

export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  useLayoutEffect(() => {
    try {
      const theme = localStorage.getItem("canopy-theme");
      if (theme === "light" || theme === "dark") document.documentElement.setAttribute("data-theme", theme);
    } catch {
      // No storage: follow the OS.
    }
  }, []);

  return (
    <html lang="en">
      <head>
        <title>Something went wrong · Canopy</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <style dangerouslySetInnerHTML={{ __html: styles }} />
      </head>
      <body>
        <main role="alert">
          <h1>Canopy hit a problem</h1>
          <p>The site could not be shown. It may be a temporary problem; trying again often helps.</p>
          <div className="row">
            <button type="button" onClick={() => retry()}>
              Try again
            </button>
            {/* A plain link: a full page load starts the app afresh. */}
            <a href="/">Go to the home page</a>
          </div>
        </main>
      </body>
    </html>
  );
}
