// What each permission and each list of other sites in app.json lets a deployed app do, in plain
// words, for the reviewer who approves it. The chat sentence states the rules app-chat-scope.ts
// enforces, the redirects and cors ones those of app-response-headers.ts.
import type { Permission } from "./manifest";
import type { relaxableDirectives } from "./pages/page-csp";

/** app.json's lists of other sites: where endpoints redirect, who reads them, what pages load. */
export type OriginDeclaration = "redirects" | "cors" | `csp ${(typeof relaxableDirectives)[number]}`;

/** One sentence per permission the manifest asks for, naming the app. */
export function describePermissionScopes(options: { appName: string; permissions: readonly Permission[] }): { permission: Permission; scope: string }[] {
  const app = options.appName;
  const scopes: Record<Permission, string> = {
    chat: `sends messages as ${app} (with an app badge) in any channel where chat is open; deletes its own messages; deletes others' messages, posts system messages and hears the chat only in channels whose owner or staff enabled it; never posts where chat is disabled. Its preview reaches only its developer.`,
    kv: `stores its own data (not shared with other apps), within the KV quota.`,
    rpc: `answers calls from its own pages and sends events to them; a preview's events reach only its preview pages.`,
    pages: `publishes the pages declared in app.json; staff decide where they show beyond their own address.`,
    streams: `reads whether channels are live and hears them go live or offline.`,
    users: `reads users' public profiles (id, username, display name), as anyone sees them beside their chat messages.`,
    "users:read-roles": `also reads each user's role (member, developer or staff) with canopy.users.get.`,
    log: `writes to its own log, which its developer and staff read.`,
  };
  return options.permissions.map((permission) => ({ permission, scope: scopes[permission] }));
}

/** One sentence per list of sites app.json declares, naming the app; the origins are shown beside it. */
export function describeOriginScope(options: { appName: string; declaration: OriginDeclaration; origins: readonly string[] }): string {
  const app = options.appName;
  const scopes: Record<OriginDeclaration, string> = {
    redirects: `${app}'s endpoints may send visitors on to these sites (a redirect from the platform's address).`,
    cors: `${options.origins.includes("*") ? "any site" : "these sites"} may read ${app}'s endpoint responses in a visitor's browser, never with the visitor's session.`,
    "csp img-src": `${app}'s pages load images from these sites.`,
    "csp media-src": `${app}'s pages load audio and video from these sites.`,
    "csp font-src": `${app}'s pages load fonts from these sites.`,
    "csp style-src": `${app}'s pages load style sheets from these sites.`,
  };
  return scopes[options.declaration];
}
