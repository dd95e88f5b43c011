// App pages in Chromium: the poll example deployed through the staff route, started from chat,
// voted on in its page by one viewer while a second browser sees the count change live; its
// placements (chat card, channel tab); and a hostile page that tries to reach the platform.
import { expect, test, type APIRequestContext, type Browser, type Page } from "./fixtures";
import { exampleProposal } from "../helpers/example-bundle";

const suffix = Date.now().toString(36).slice(-6);
const owner = `pollown_${suffix}`;
const voter = `voter_${suffix}`;

async function signIn(request: APIRequestContext, username: string, password: string): Promise<void> {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", { form: { username, password, csrfToken, json: "true" } });
  expect(response.ok()).toBe(true);
}

async function signUpAndSignIn(request: APIRequestContext, username: string): Promise<void> {
  const password = `${username}-password`;
  expect((await request.post("/api/trpc/account.signUp", { data: { json: { username, password } } })).ok()).toBe(true);
  await signIn(request, username, password);
}

async function newUserPage(browser: Browser, username: string | null, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await (await browser.newContext(viewport ? { viewport, isMobile: true, hasTouch: true } : {})).newPage();
  if (username === "e2e_staff") await signIn(page.request, "e2e_staff", "e2e-staff-password");
  else if (username) await signUpAndSignIn(page.request, username);
  return page;
}

/** Creates the app and deploys the proposal; the worker's apps capability may need a moment. */
async function deployApp(request: APIRequestContext, appId: string, proposal: unknown): Promise<void> {
  expect((await request.post("/api/trpc/apps.create", { data: { json: { id: appId, name: appId } } })).ok()).toBe(true);
  await expect
    .poll(async () => (await request.post(`/api/apps/${appId}/deploy`, { data: proposal })).status(), { timeout: 60_000, intervals: [300] })
    .toBe(200);
}

const hostileProposal = {
  actions: [
    {
      name: "set_js_app",
      args: {
        bundle: {
          metadata: { name: "Hostile", main: "main.js", permissions: ["rpc", "pages"], pages: { probe: { file: "pages/probe.html", title: "Probe" } } },
          modules: [{ name: "main.js", module: 'canopy.rpc.register("ping", "guest", () => "pong"); canopy.pages.publish("probe");' }],
          files: [
            { path: "pages/probe.html", base64: Buffer.from('<!doctype html><title>Probe</title><script src="/appbridge.js"></script><pre id="log"></pre><script src="probe.js"></script>').toString("base64") },
            {
              path: "pages/probe.js",
              base64: Buffer.from(`
                const log = document.getElementById("log");
                const note = (line) => { log.textContent += line + "\\n"; };
                const attempt = (name, run) => { try { note(name + ": got " + JSON.stringify(run())); } catch (error) { note(name + ": blocked"); } };
                attempt("cookie", () => document.cookie);
                attempt("parent-dom", () => window.parent.document.title);
                attempt("top-dom", () => window.top.document.body.innerHTML.length);
                attempt("storage", () => localStorage.length);
                attempt("top-navigation", () => { window.top.location.href = "https://evil.example/"; return "assigned"; });
                // Forges another app's id in a bridge message: the host ignores it and uses its own.
                window.parent.postMessage({ canopyBridge: 1, type: "rpc", id: 9001, appId: "poll", pageId: "vote", method: "close", args: [], timeoutMs: 3000 }, "*");
                window.addEventListener("message", (event) => {
                  if (event.data && event.data.id === 9001) note("forged-call: " + (event.data.error ? event.data.error.code : "answered"));
                });
                (async () => {
                  await appbridge.ready;
                  note("ping: " + (await appbridge.call("ping")));
                  try { await appbridge.navigate("https://evil.example/"); note("navigate-offsite: allowed"); } catch (error) { note("navigate-offsite: " + error.code); }
                  try { await appbridge.navigate("//evil.example/x"); note("navigate-protocol-relative: allowed"); } catch (error) { note("navigate-protocol-relative: " + error.code); }
                  try {
                    const response = await fetch("/api/auth/session", { credentials: "include" });
                    note("session-fetch: " + (await response.text()));
                  } catch (error) { note("session-fetch: blocked"); }
                  note("confirm: " + (await appbridge.confirm("Proceed with the probe?", "Canopy: your session expired")));
                  note("done");
                })();
              `).toString("base64"),
            },
          ],
        },
      },
    },
  ],
};

test("a viewer votes in the poll page and a second browser sees the result change live; placements show it in chat and beside it", async ({ browser }) => {
  const staff = await newUserPage(browser, "e2e_staff");
  await deployApp(staff.request, "poll", exampleProposal("poll"));
  // Staff allow the vote page as a chat card and a channel tab (app.json asks for both).
  await expect
    .poll(async () => (await staff.request.post("/api/trpc/appPages.setPlacements", { data: { json: { appId: "poll", pageId: "vote", allowed: ["chat-card", "channel-tab"] } } })).status(), { timeout: 20_000 })
    .toBe(200);

  // The channel owner starts a poll from chat; the app answers with a card of its page.
  const ownerPage = await newUserPage(browser, owner);
  // Deployed apps hear only the channels that enabled them.
  expect((await ownerPage.request.post("/api/trpc/chat.enableApp", { data: { json: { channel: owner, appId: "poll" } } })).ok()).toBe(true);
  await ownerPage.goto(`/chat/${owner}`);
  await expect(ownerPage.getByText(/^\d+ watching$/)).toBeVisible();
  const input = ownerPage.getByRole("textbox", { name: /^Message #/ });
  await input.fill("!poll Best snack? | Apples | Pears");
  await input.press("Enter");
  const cardRow = ownerPage.locator("li[data-message-id]", { hasText: "vote at /a/poll/vote" });
  await expect(cardRow).toBeVisible({ timeout: 15_000 });
  const card = cardRow.frameLocator('iframe[title="Poll"]');
  await expect(card.getByRole("heading", { name: "Best snack?" })).toBeVisible();

  // Two viewers open the page; one votes, the other sees the count change without reloading.
  const voterPage = await newUserPage(browser, voter);
  // The second viewer watches on a phone.
  const watcherPage = await newUserPage(browser, null, { width: 390, height: 844 });
  await voterPage.goto("/a/poll/vote");
  await watcherPage.goto("/a/poll/vote");
  const voterFrame = voterPage.frameLocator('iframe[title="Poll"]');
  const watcherFrame = watcherPage.frameLocator('iframe[title="Poll"]');
  await expect(watcherFrame.getByRole("heading", { name: "Best snack?" })).toBeVisible();
  await expect(watcherFrame.getByText("Sign in to vote.")).toBeVisible();
  await expect(watcherFrame.locator('.count[data-option="1"]')).toHaveText("0 votes");
  const overflows = () => watcherPage.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(await overflows()).toBe(false);

  await voterFrame.getByRole("button", { name: /Pears/ }).click();
  await expect(voterFrame.getByRole("button", { name: /Pears/ })).toHaveAttribute("aria-pressed", "true");
  await expect(watcherFrame.locator('.count[data-option="1"]')).toHaveText("1 vote");
  await expect(card.locator('.count[data-option="1"]')).toHaveText("1 vote");

  // Changing the vote moves the count for everyone.
  await voterFrame.getByRole("button", { name: /Apples/ }).click();
  await expect(watcherFrame.locator('.count[data-option="0"]')).toHaveText("1 vote");
  await expect(watcherFrame.locator('.count[data-option="1"]')).toHaveText("0 votes");

  // The channel page has a Poll tab beside its chat.
  await watcherPage.goto(`/c/${owner}`);
  await watcherPage.getByRole("tab", { name: "Poll" }).click();
  expect(await overflows()).toBe(false);
  await expect(watcherPage.getByRole("tabpanel", { name: "Poll" }).frameLocator('iframe[title="Poll"]').getByRole("heading", { name: "Best snack?" })).toBeVisible();
  await watcherPage.getByRole("tab", { name: "Chat" }).click();
  await expect(watcherPage.getByRole("textbox", { name: /^Message #/ })).toBeVisible();
});

test("a hostile page cannot read the platform's cookies or DOM, reach another app's methods, or navigate the top window away", async ({ browser }) => {
  const staff = await newUserPage(browser, "e2e_staff");
  await deployApp(staff.request, "hostile", hostileProposal);
  // Staff is the most privileged viewer: even their page must not lend the probe any power.
  await expect.poll(async () => (await staff.request.get("/a/hostile/probe")).status(), { timeout: 20_000 }).toBe(200);
  await staff.goto("/a/hostile/probe");
  const frame = staff.frameLocator('iframe[title="Probe"]');
  const log = frame.locator("#log");

  // The platform draws the page's confirm; answering it lets the probe finish.
  // It names the app (the reviewed name, not the page's title) in a band the page cannot style.
  const dialog = staff.getByRole("dialog", { name: "Hostile" });
  await expect(dialog).toContainText("Proceed with the probe?");
  await expect(dialog).toContainText("An app on Canopy says this, not Canopy");
  await expect(dialog.getByRole("heading")).toHaveText("Hostile");
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(log).toContainText("done", { timeout: 15_000 });

  const text = await log.textContent();
  for (const line of [
    "cookie: blocked",
    "parent-dom: blocked",
    "top-dom: blocked",
    "storage: blocked",
    "top-navigation: blocked",
    "navigate-offsite: BAD_REQUEST",
    "navigate-protocol-relative: BAD_REQUEST",
    // An opaque origin gets no CORS grant: the platform's answer is unreadable.
    "session-fetch: blocked",
    "ping: pong",
    "confirm: true",
  ]) {
    expect(text).toContain(line);
  }
  // The window stays on Canopy.
  expect(staff.url()).toMatch(/\/a\/hostile\/probe$/);
  // The forged call went to the probe's own app, which has no "close"; the poll is untouched.
  expect(text).toContain("forged-call: NOT_FOUND");
  const results = await staff.request.get("/apps/poll/api/results");
  expect(results.status()).toBe(200);
  expect(await results.json()).toMatchObject({ question: "Best snack?" });
});
