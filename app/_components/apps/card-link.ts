// Which app page a chat message links to: /a/<app>/<page> as a path, or as a URL on this site.
export type CardPage = { appId: string; appName: string; pageId: string; title: string; file: string };

/** Live frames at once in one chat. */
export const liveCardLimit = 3;

const pageLink = /(?:^|\s)(?:https?:\/\/([^\s/]+))?\/a\/([a-z0-9-]{2,40})\/([a-z0-9-]{1,40})\/?(?=[\s.,!?)]|$)/;

/** The card page a message links to, if any. */
export function cardPageOf(text: string, pages: readonly CardPage[], host: string | null): CardPage | null {
  const match = pageLink.exec(text);
  if (!match) return null;
  const [, linkHost, appId, pageId] = match;
  if (linkHost && linkHost !== host) return null;
  return pages.find((page) => page.appId === appId && page.pageId === pageId) ?? null;
}
