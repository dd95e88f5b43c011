// npm run bench:editor — what the online editor costs a browser, on the production build:
//   firstLoadJs: the editor route's first-load JS without Monaco (gzip), and the home route's for
//                comparison (it must not grow because of the editor);
//   monacoLazy:  what the route downloads afterwards to show an editable Monaco: main-thread chunks
//                and worker scripts (gzip), measured from the responses headless Chromium received;
//   coldLoad:    navigation → editable Monaco (the file's text rendered and a typed character
//                shown), each run in a fresh browser context (empty cache), median of --runs.
// Prints JSON.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { chromium, type Response } from "@playwright/test";
import { chromiumLaunchOptions } from "../../playwright.config";
import { TestClient } from "../../tests/helpers/http-client";
import { startServer } from "../../tests/helpers/server";
import { firstLoadJsOf } from "../first-load-js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Math.max(1, Number(values.runs));

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const kib = (bytes: number) => Number((bytes / 1024).toFixed(1));

if (spawnSync("node", ["scripts/ensure-build.mjs"], { stdio: "inherit" }).status !== 0) throw new Error("build failed");

const server = await startServer({ env: { CANOPY_START_WORKER: "false" } });
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const client = new TestClient(server.url);
  await client.mutation("account.signUp", { username: "bencher", password: "bench-password" });
  if (!(await client.signIn("bencher", "bench-password"))) throw new Error("sign-in failed");
  const created = await client.mutation("editor.createFromTemplate", { id: "bench-app", name: "Bench app", template: "http-endpoints" });
  if (created.error) throw new Error(created.error.message);
  const editorPath = "/dev/apps/bench-app";
  const cookie = client.cookieHeader();

  const editorFirstLoad = await firstLoadJsOf({ origin: server.url, path: editorPath, cookie });
  const homeFirstLoad = await firstLoadJsOf({ origin: server.url, path: "/" });
  const firstLoadUrls = new Set<string>();
  {
    const html = await (await fetch(server.url + editorPath, { headers: { cookie } })).text();
    for (const match of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) firstLoadUrls.add(new URL(match[1]!, server.url).pathname);
  }

  const sessionCookies = cookie.split("; ").map((pair) => {
    const index = pair.indexOf("=");
    return { name: pair.slice(0, index), value: pair.slice(index + 1), url: server.url };
  });

  const loadSamples: number[] = [];
  let lazy = { mainThreadGzip: 0, mainThreadRaw: 0, workerGzip: 0, workerRaw: 0, scripts: 0, workers: 0 };
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    await context.addCookies(sessionCookies);
    const page = await context.newPage();
    const responses: Response[] = [];
    const workerUrls = new Set<string>();
    page.on("response", (response) => {
      if (response.request().resourceType() === "script" || /\.js(?:[?#]|$)/.test(response.url())) responses.push(response);
    });
    page.on("worker", (worker) => {
      // Turbopack's worker bootstrap names the chunks the worker imports in its URL fragment.
      const [bootstrap, fragment] = worker.url().split("#params=");
      workerUrls.add(new URL(bootstrap!).pathname);
      try {
        const [chunks] = JSON.parse(decodeURIComponent(fragment ?? "")) as [string[]];
        for (const chunk of chunks) workerUrls.add(chunk);
      } catch {
        // Another bundler's worker URL: only the bootstrap counts as worker code.
      }
    });
    context.on("response", (response) => {
      if (response.request().resourceType() === "script" && !responses.includes(response)) responses.push(response);
    });

    const started = performance.now();
    await page.goto(server.url + editorPath, { waitUntil: "commit" });
    await page.locator(".monaco-editor .view-lines").getByText("Endpoint handlers", { exact: false }).waitFor({ timeout: 60_000 });
    await page.locator(".monaco-editor").first().click({ position: { x: 80, y: 10 } });
    await page.keyboard.press("Control+Home");
    await page.keyboard.insertText("X");
    await page.locator(".monaco-editor .view-lines").getByText("X// Endpoint handlers", { exact: false }).waitFor({ timeout: 30_000 });
    loadSamples.push(performance.now() - started);

    if (run === 0) {
      // Let the language workers finish starting, then count what came after the first load.
      await page.waitForTimeout(3000);
      const seen = new Set<string>();
      for (const response of responses) {
        const url = new URL(response.url());
        if (url.origin !== new URL(server.url).origin || seen.has(url.pathname) || firstLoadUrls.has(url.pathname)) continue;
        seen.add(url.pathname);
        const body = await response.body().catch(() => null);
        if (!body) continue;
        const gzip = zlib.gzipSync(body, { level: 9 }).length;
        const isWorker = workerUrls.has(url.pathname);
        if (isWorker) {
          lazy.workerGzip += gzip;
          lazy.workerRaw += body.length;
          lazy.workers += 1;
        } else {
          lazy.mainThreadGzip += gzip;
          lazy.mainThreadRaw += body.length;
          lazy.scripts += 1;
        }
      }
      lazy = { ...lazy };
    }
    await context.close();
  }

  console.log(
    JSON.stringify(
      {
        benchmark: "editor",
        node: process.version,
        route: editorPath,
        firstLoadJs: { editorRouteWithoutMonaco: editorFirstLoad, homeRoute: homeFirstLoad },
        monacoLazy: {
          mainThreadScripts: lazy.scripts,
          mainThreadGzipKiB: kib(lazy.mainThreadGzip),
          mainThreadRawKiB: kib(lazy.mainThreadRaw),
          workerScripts: lazy.workers,
          workerGzipKiB: kib(lazy.workerGzip),
          workerRawKiB: kib(lazy.workerRaw),
          totalGzipKiB: kib(lazy.mainThreadGzip + lazy.workerGzip),
        },
        coldLoadToEditableMs: { runs, median: Math.round(median(loadSamples)), samples: loadSamples.map(Math.round) },
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await server.stop();
}
process.exit(0);
