// Live streaming in a real browser: the explore page, the streamer dashboard (stream key shown
// once, hidden until Reveal), the channel page, and a real ffmpeg publishing to the worker's RTMP
// ingest with the channel page playing the stream.
import { spawn, type ChildProcess } from "node:child_process";
import { expect, test, type Page } from "./fixtures";
import { e2eRtmpPort } from "../../playwright.config";

const password = "streamer-password";

/** Creates an account through the tRPC API and signs the page's browser context in. */
async function signUpAndSignIn(page: Page, username: string): Promise<void> {
  const signUp = await page.request.post("/api/trpc/account.signUp", { data: { json: { username, password } } });
  expect(signUp.status(), await signUp.text()).toBe(200);
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const signIn = await page.request.post("/api/auth/callback/credentials", { form: { username, password, csrfToken, json: "true" } });
  expect(signIn.ok()).toBe(true);
  const cookies = await page.context().cookies();
  expect(cookies.some((cookie) => cookie.name.includes("session-token"))).toBe(true);
}

/** On the dashboard: generates a key, checks it stays hidden until Reveal, returns it. */
async function generateAndRevealKey(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Generate stream key" }).click();
  const box = page.getByTestId("stream-key");
  await expect(box).toBeVisible();
  await expect(box).not.toContainText("live_");
  expect(await page.evaluate(() => document.body.innerText)).not.toContain("live_");
  await page.getByRole("button", { name: "Reveal" }).click();
  await expect(box).toHaveText(/^live_[A-Za-z0-9_-]+$/);
  return (await box.textContent())!.trim();
}

const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36)}`;

test("the home page shows an empty state when nobody is live", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Live now", exact: true })).toBeVisible();
  await expect(page.getByTestId("live-empty")).toContainText("Nobody is live right now");
  // The service status panel is still there, below.
  await expect(page.getByRole("heading", { name: "Service status" })).toBeVisible();

  await page.goto("/?directory=Nowhere");
  await expect(page.getByRole("heading", { name: "Live in Nowhere", exact: true })).toBeVisible();
  await expect(page.getByTestId("live-empty")).toContainText("Nobody is live in Nowhere");
  await page.getByRole("link", { name: "All", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("the dashboard needs an account and shows a new stream key only after Reveal, once", async ({ page }) => {
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard$/);

  const username = uniqueName("keys");
  await signUpAndSignIn(page, username);
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  await expect(page.getByRole("banner").getByRole("link", { name: "Dashboard" })).toBeAttached();
  await expect(page.getByTestId("stream-status")).toHaveText("Offline");
  await expect(page.getByTestId("rtmp-server")).toHaveText(`rtmp://127.0.0.1:${e2eRtmpPort}/live`);

  const key = await generateAndRevealKey(page);
  await page.getByRole("button", { name: "Hide" }).click();
  await expect(page.getByTestId("stream-key")).not.toContainText(key);
  await page.getByRole("button", { name: "Done, I have saved it" }).click();
  await expect(page.getByTestId("stream-key")).toHaveCount(0);
  await expect(page.getByTestId("stream-key-hint")).toHaveText(`…${key.slice(-4)}`);

  // Never shown again, not even hidden in the page.
  await page.reload();
  await expect(page.getByTestId("stream-key-hint")).toHaveText(`…${key.slice(-4)}`);
  expect(await page.content()).not.toContain(key);

  // Rotating asks first and says what it breaks.
  await page.getByRole("button", { name: "Rotate key" }).click();
  await expect(page.getByText(/old key stops working at once/)).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Rotate key" }).click();
  await page.getByRole("button", { name: "Yes, rotate key" }).click();
  await page.getByRole("button", { name: "Reveal" }).click();
  const rotated = (await page.getByTestId("stream-key").textContent())!.trim();
  expect(rotated).toMatch(/^live_/);
  expect(rotated).not.toBe(key);

  // Channel details are saved and shown on the (offline) channel page.
  await page.getByLabel("Title").fill("Quiet evening");
  await page.getByLabel("Tags").fill("chill, lofi ,chill");
  await page.getByLabel("Directory").fill("Music");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByLabel("Tags")).toHaveValue("chill, lofi");

  await page.goto(`/c/${username}`);
  await expect(page.getByRole("heading", { name: "Quiet evening", level: 1 })).toBeVisible();
  await expect(page.getByTestId("player-offline")).toBeVisible();
  // The channel's chat sits beside the player.
  const chat = page.getByRole("complementary", { name: "Chat" });
  await expect(chat.getByRole("heading", { name: `#${username}` })).toBeVisible();
  await expect(chat.getByRole("textbox", { name: `Message #${username}` })).toBeVisible();
  await expect(page.getByText(`${username} has no recordings yet`)).toBeVisible();
  await expect(page.getByRole("link", { name: "Music" })).toHaveAttribute("href", "/?directory=Music");
});

test("unknown channels are a 404", async ({ page }) => {
  const response = await page.goto("/c/nobody_streams_here");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a streamer publishes with ffmpeg and viewers watch the channel live", async ({ page }) => {
  // The RTMP ingest lives in worker/ingest, written on another branch; without it nothing listens on RTMP_PORT.
  test.setTimeout(150_000);

  const username = uniqueName("live");
  await signUpAndSignIn(page, username);
  await page.goto("/dashboard");
  const key = await generateAndRevealKey(page);
  await page.getByLabel("Title").fill("E2E live test");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  let ffmpegLog = "";
  // -t bounds the stream even if this test dies before its finally.
  const ffmpeg: ChildProcess = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "warning", "-re"],
      ...["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine"],
      ...["-t", "140", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-c:a", "aac"],
      ...["-f", "flv", `rtmp://127.0.0.1:${e2eRtmpPort}/live/${key}`],
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  ffmpeg.stderr!.on("data", (chunk: Buffer) => {
    ffmpegLog = (ffmpegLog + chunk.toString()).slice(-4000);
  });
  ffmpeg.on("error", (error) => {
    ffmpegLog += `\nspawn failed: ${error.message} (is ffmpeg installed?)`;
  });

  try {
    // The dashboard refreshes every 5 s.
    await expect(page.getByTestId("stream-status"), ffmpegLog).toHaveText("Live", { timeout: 40_000 });

    // The channel page polls every 10 s; the stream may already be live when it loads.
    await page.goto(`/c/${username}`);
    await expect(page.getByTestId("channel-live-badge")).toBeVisible({ timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="stream-video"]');
        return !!video && video.currentTime > 1;
      },
      undefined,
      { timeout: 45_000 },
    );
    await expect(page.getByTestId("player-live-badge")).toBeVisible();

    await page.goto("/");
    await expect(page.getByRole("link", { name: "E2E live test" })).toBeVisible();
    await expect(page.getByTestId("live-empty")).toHaveCount(0);
  } finally {
    ffmpeg.kill("SIGKILL");
  }
});
