import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { nonceHeader } from "@/server/http/page-security-headers";
import { RouteAnnouncer } from "./_components/route-announcer";
import { SiteHeader } from "./_components/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: { template: "%s · Canopy", default: "Canopy" },
  description: "Canopy: live channels, chat and apps in the browser, on any screen.",
  applicationName: "Canopy",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#171e1a" },
  ],
};

// Runs while <head> is parsed, before the first paint: applies the theme chosen with the toggle
// (app/_components/theme-toggle.tsx); without a choice the CSS follows prefers-color-scheme.
const themeScript = `try{var t=localStorage.getItem("canopy-theme");if(t==="light"||t==="dark")document.documentElement.setAttribute("data-theme",t)}catch(e){}`;

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: its scripts carry that request's CSP nonce
  // (server/http/page-security-headers.ts), which a prerendered page could not.
  const nonce = (await headers()).get(nonceHeader) ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader />
        <main id="main" className="container site-main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="container">
            <span>Canopy</span>
            <span>
              Service status as JSON: <a href="/api/external/">GET /api/external/</a>
            </span>
          </div>
        </footer>
        <RouteAnnouncer />
      </body>
    </html>
  );
}
