// Splits a chat message into plain text, links and @mentions. Pure, so the renderer only maps
// segments to elements: text stays text (React escapes it), and only http(s) URLs that `new URL`
// accepts become links.

export type Segment =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  | { kind: "mention"; text: string; username: string };

// A URL candidate runs to the next whitespace or character that never appears unescaped in one;
// a mention is @ plus a username (3–24 letters, digits, underscores).
const tokenPattern = /https?:\/\/[^\s<>"'`]+|@[A-Za-z0-9_]{3,24}/gi;
const wordChar = /[A-Za-z0-9_]/;
const trailingPunctuation = /[.,;:!?'")\]}>*]$/;

/** Drops punctuation that ends a sentence rather than the URL ("see https://x.org/a)." → "https://x.org/a"). */
function trimUrl(candidate: string): string {
  let url = candidate;
  while (trailingPunctuation.test(url)) {
    if (url.endsWith(")")) {
      const open = url.split("(").length - 1;
      const close = url.split(")").length - 1;
      // Keep a closing parenthesis that balances one inside the URL (Wikipedia-style links).
      if (open >= close) break;
    }
    url = url.slice(0, -1);
  }
  return url;
}

/** The normalised href of an http(s) URL, or null for anything else. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (!url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

export function parseMessage(text: string): Segment[] {
  const segments: Segment[] = [];
  let plain = "";
  let last = 0;
  const flush = () => {
    if (plain) segments.push({ kind: "text", text: plain });
    plain = "";
  };

  for (const match of text.matchAll(tokenPattern)) {
    const start = match.index;
    const raw = match[0];
    plain += text.slice(last, start);
    last = start + raw.length;

    if (raw.startsWith("@")) {
      // "name@host" is an address, not a mention; "@name…" longer than 24 characters is not a username.
      const before = start > 0 ? text[start - 1]! : "";
      const after = text[start + raw.length] ?? "";
      if (wordChar.test(before) || wordChar.test(after)) {
        plain += raw;
        continue;
      }
      flush();
      segments.push({ kind: "mention", text: raw, username: raw.slice(1).toLowerCase() });
      continue;
    }

    const url = trimUrl(raw);
    const href = safeHref(url);
    if (!href) {
      plain += raw;
      continue;
    }
    flush();
    segments.push({ kind: "link", text: url, href });
    // What was trimmed off the end goes back to the text (it may hold a mention, but never a URL).
    last = start + url.length;
  }
  plain += text.slice(last);
  flush();
  return segments;
}

/** Whether the text @mentions this username (case-insensitive). */
export function mentions(text: string, username: string): boolean {
  const name = username.toLowerCase();
  return parseMessage(text).some((segment) => segment.kind === "mention" && segment.username === name);
}
