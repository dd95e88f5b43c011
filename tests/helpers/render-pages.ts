// Pages for render tests, served on a loopback port that the tests make Canopy's public origin
// (CANOPY_PUBLIC_URL), so the render farm's URL policy lets the workers load them.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A white page that turns black on a click (and back): a click is visible in the next frame. Its title counts the clicks. */
export const clickPage = `<body style="margin:0;height:100vh;background:#fff" onclick="document.body.style.background=document.body.style.background==='black'?'#fff':'black';document.title='clicks: '+(++window.clicks)"><script>window.clicks=0</script><h1 style="margin:0">Click anywhere</h1></body>`;

/** A red square that moves every animation frame: the screencast streams all the time. */
export const animatedPage = `<body style="margin:0"><div id=b style="position:absolute;width:120px;height:120px;background:#c00"></div><script>let x=0;(function f(){x=(x+7)%600;b.style.left=x+"px";requestAnimationFrame(f)})()</script></body>`;

export type PageFixture = { origin: string; url(path: string): string; close(): void };

/** Serves each body of `pages` under its path, and answers each path of `redirects` with a 302 there. */
export async function startPageFixture(pages: Record<string, string>, redirects: Record<string, string> = {}): Promise<PageFixture> {
  const server = http.createServer((request, response) => {
    const path = request.url ?? "/";
    const location = redirects[path];
    if (location) return void response.writeHead(302, { location }).end();
    const page = pages[path];
    if (!page) return void response.writeHead(404).end("not found");
    response.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><html><head><title>${path}</title></head>${page}</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, url: (path) => origin + path, close: () => server.close() };
}
