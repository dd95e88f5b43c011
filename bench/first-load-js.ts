// First-load JS of a page: every <script src> the HTML names (what a browser downloads before the
// page is interactive), raw and gzip-compressed, plus the inline scripts. Shared by bench:web and
// bench:editor.
import zlib from "node:zlib";

export type FirstLoadJs = { scripts: number; rawBytes: number; gzipBytes: number; inlineGzipBytes: number; gzipKiB: number };

export async function firstLoadJsOf(options: { origin: string; path: string; cookie?: string }): Promise<FirstLoadJs> {
  const headers = options.cookie ? { cookie: options.cookie } : undefined;
  const html = await (await fetch(options.origin + options.path, { headers })).text();
  const sources = [...new Set([...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1]!))];
  const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]!).join("");
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const source of sources) {
    const body = Buffer.from(await (await fetch(new URL(source, options.origin))).arrayBuffer());
    rawBytes += body.length;
    gzipBytes += zlib.gzipSync(body, { level: 9 }).length;
  }
  return { scripts: sources.length, rawBytes, gzipBytes, inlineGzipBytes: zlib.gzipSync(inline, { level: 9 }).length, gzipKiB: Number((gzipBytes / 1024).toFixed(1)) };
}
