// The one Chromium of this worker: launched on demand (puppeteer-core, the system binary, a fresh
// user-data-dir), relaunched with back-off when it dies. Whoever holds sessions hears about the
// crash through `onCrash` and reports them failed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import type { Logger } from "../../server/logger";

export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type BrowserManager = ReturnType<typeof createBrowserManager>;

export function createBrowserManager(options: {
  executablePath: string;
  proxyUrl: string;
  logger: Logger;
  onCrash: () => void;
  /** Called after every successful (re)launch, e.g. to refill the warm pool. */
  onLaunch?: () => void;
}) {
  const log = options.logger;
  let browser: Browser | null = null;
  let launching: Promise<Browser> | null = null;
  let userDataDir: string | null = null;
  let failures = 0;
  let stopped = false;
  let relaunchTimer: NodeJS.Timeout | null = null;

  function cleanupDir(): void {
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    userDataDir = null;
  }

  async function launch(): Promise<Browser> {
    cleanupDir();
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-chromium-"));
    const started = Date.now();
    const launched = await puppeteer.launch({
      executablePath: options.executablePath,
      headless: true,
      userDataDir,
      defaultViewport: null,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      protocolTimeout: 20_000,
      // Over a pipe, Chromium exits by itself when this process dies (even by SIGKILL).
      pipe: true,
      args: [
        ...chromiumFlags,
        // Every connection goes through the egress proxy, loopback included (Chromium bypasses
        // proxies for loopback unless told not to).
        `--proxy-server=${options.proxyUrl}`,
        "--proxy-bypass-list=<-loopback>",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-breakpad",
        "--no-pings",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
        "--hide-scrollbars",
        "--disable-dev-shm-usage",
      ],
    });
    log.info("chromium started", { pid: launched.process()?.pid, ms: Date.now() - started });
    launched.on("disconnected", () => {
      if (browser !== launched) return;
      browser = null;
      if (stopped) return;
      log.error("chromium disconnected; its sessions failed, restarting it");
      options.onCrash();
      scheduleRelaunch();
    });
    return launched;
  }

  function scheduleRelaunch(): void {
    if (relaunchTimer || stopped) return;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
    relaunchTimer = setTimeout(() => {
      relaunchTimer = null;
      get().catch(() => scheduleRelaunch());
    }, delay);
  }

  /** The running browser, launching it when needed (one launch at a time). */
  async function get(): Promise<Browser> {
    if (stopped) throw new Error("render farm stopped");
    if (browser?.connected) return browser;
    launching ??= launch()
      .then((launched) => {
        browser = launched;
        failures = 0;
        options.onLaunch?.();
        return launched;
      })
      .catch((error: unknown) => {
        failures += 1;
        log.error("chromium failed to start", { error: String(error), failures });
        throw error;
      })
      .finally(() => {
        launching = null;
      });
    return launching;
  }

  return {
    get,
    /** Alive unless the last launches failed. */
    healthy: () => failures < 3,
    running: () => Boolean(browser?.connected),
    pid: () => browser?.process()?.pid,
    /** For tests and benchmarks: kill Chromium as a crash would. */
    kill() {
      browser?.process()?.kill("SIGKILL");
    },
    async stop() {
      stopped = true;
      if (relaunchTimer) clearTimeout(relaunchTimer);
      const current = browser ?? (await launching?.catch(() => null)) ?? null;
      browser = null;
      if (current) {
        const process = current.process();
        await Promise.race([current.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (process && process.exitCode === null) process.kill("SIGKILL");
      }
      cleanupDir();
    },
  };
}
