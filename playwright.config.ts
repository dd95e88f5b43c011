import { defineConfig, devices } from "@playwright/test";

// The system Chromium: Playwright cannot download its own browser on these machines.
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

const port = Number(process.env.E2E_PORT ?? 3310);
const dataDir = ".data/e2e";
/** RTMP ingest of the e2e server (tests/e2e/streaming.spec.ts publishes to it with ffmpeg). */
export const e2eRtmpPort = Number(process.env.E2E_RTMP_PORT ?? 19350);

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? "list" : "list",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: chromiumLaunchOptions,
    trace: "retain-on-failure",
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunchOptions } }],
  webServer: {
    command: `rm -rf ${dataDir} && NODE_ENV=production PORT=${port} HOST=127.0.0.1 DATA_DIR=${dataDir} RTMP_PORT=${e2eRtmpPort} CANOPY_ADMIN_USERNAME=e2e_staff CANOPY_ADMIN_PASSWORD=e2e-staff-password NEXT_TELEMETRY_DISABLED=1 node --import tsx server/index.ts`,
    url: `http://127.0.0.1:${port}/api/external/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
