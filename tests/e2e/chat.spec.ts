import { expect, test, type APIRequestContext, type Browser, type Page } from "./fixtures";

const suffix = Date.now().toString(36).slice(-6);
const owner = `own_${suffix}`;
const viewer = `view_${suffix}`;

/** Signs up through the tRPC API and signs in through next-auth, as the browser would. */
async function signUpAndSignIn(request: APIRequestContext, username: string): Promise<void> {
  const password = `${username}-password`;
  const signUp = await request.post("/api/trpc/account.signUp", { data: { json: { username, password } } });
  expect(signUp.ok()).toBe(true);
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const signIn = await request.post("/api/auth/callback/credentials", { form: { username, password, csrfToken, json: "true" } });
  expect(signIn.ok()).toBe(true);
}

async function openChat(browser: Browser, channel: string, username?: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Nothing in a message may ever run script.
  page.on("dialog", (dialog) => {
    throw new Error(`unexpected dialog: ${dialog.message()}`);
  });
  if (username) await signUpAndSignIn(page.request, username);
  await page.goto(`/chat/${channel}`);
  await expect(page.getByRole("heading", { level: 1, name: `#${channel}` })).toBeVisible();
  // Connected and joined: the status pill is gone and the viewer count is known.
  await expect(page.getByText(/Connecting…|Reconnecting…/)).toHaveCount(0);
  await expect(page.getByText(/^\d+ watching$/)).toBeVisible();
  return page;
}

const messageInput = (page: Page) => page.getByRole("textbox", { name: /^Message #/ });
const messageRow = (page: Page, text: string) => page.locator("li[data-message-id]", { hasText: text });

async function send(page: Page, text: string): Promise<void> {
  await messageInput(page).fill(text);
  await messageInput(page).press("Enter");
  await expect(messageInput(page)).toHaveValue("");
}

test("two members chat live; markup stays text, links are safe, guests read only, the owner deletes", async ({ browser }) => {
  const ownerPage = await openChat(browser, owner, owner);
  const viewerPage = await openChat(browser, owner, viewer);
  await expect(ownerPage).toHaveTitle(`#${owner} · Canopy`);

  // One sends, the other sees it live; and back.
  await send(viewerPage, `hello @${owner} from the viewer`);
  await expect(messageRow(ownerPage, "from the viewer")).toBeVisible();
  // A message that mentions the reader is highlighted for them.
  await expect(messageRow(ownerPage, "from the viewer")).toHaveAttribute("data-mentions-me", "true");
  await send(ownerPage, "welcome, viewer!");
  await expect(messageRow(viewerPage, "welcome, viewer!")).toBeVisible();

  // Markup is shown as literal text: no element is created from it.
  const markup = "<img src=x onerror=alert(1)>";
  await send(viewerPage, markup);
  for (const page of [ownerPage, viewerPage]) {
    await expect(messageRow(page, markup)).toBeVisible();
    await expect(page.locator("li[data-message-id] img")).toHaveCount(0);
  }

  // Links are clickable and open safely in a new tab.
  await send(ownerPage, "the rules: https://example.org/rules?x=1. read them");
  const link = viewerPage.getByRole("link", { name: "https://example.org/rules?x=1" });
  await expect(link).toHaveAttribute("href", "https://example.org/rules?x=1");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", /\bnoopener\b/);
  await expect(link).toHaveAttribute("rel", /\bnoreferrer\b/);

  // A guest sees the history and new messages, but cannot write.
  const guestPage = await openChat(browser, owner);
  await expect(messageRow(guestPage, "welcome, viewer!")).toBeVisible();
  await expect(messageInput(guestPage)).toBeDisabled();
  await expect(guestPage.getByRole("link", { name: "Sign in to chat" })).toBeVisible();
  await send(ownerPage, "guests can read along");
  await expect(messageRow(guestPage, "guests can read along")).toBeVisible();
  await expect(guestPage.getByRole("button", { name: /Moderate message/ })).toHaveCount(0);
  await expect(viewerPage.getByRole("button", { name: /Moderate message/ })).toHaveCount(0);

  // The owner deletes the viewer's message; it disappears for everyone, live.
  await messageRow(ownerPage, "from the viewer").getByRole("button", { name: `Moderate message from ${viewer}` }).click();
  await messageRow(ownerPage, "from the viewer").getByRole("button", { name: "Delete" }).click();
  await expect(messageRow(ownerPage, "from the viewer")).toHaveCount(0);
  await expect(messageRow(viewerPage, "from the viewer")).toHaveCount(0);
  await expect(messageRow(guestPage, "from the viewer")).toHaveCount(0);

  // ...and it stays gone after a reload (history no longer serves it).
  await viewerPage.reload();
  await expect(messageRow(viewerPage, "welcome, viewer!")).toBeVisible();
  await expect(messageRow(viewerPage, "from the viewer")).toHaveCount(0);
});

test("the owner's moderation reaches the viewer: slow mode, chat disabled and a time-out", async ({ browser }) => {
  const channel = `mod_${suffix}`;
  const member = `mem_${suffix}`;
  const ownerPage = await openChat(browser, channel, channel);
  const viewerPage = await openChat(browser, channel, member);
  const composer = viewerPage.locator("form", { has: messageInput(viewerPage) });

  await ownerPage.getByRole("button", { name: "Settings" }).click();
  await ownerPage.getByLabel("Slow mode").selectOption("30");
  await expect(viewerPage.getByText("Slow mode: 30 s", { exact: true })).toBeVisible();
  await send(viewerPage, "first in slow mode");
  await messageInput(viewerPage).fill("second too soon");
  await messageInput(viewerPage).press("Enter");
  await expect(composer.getByRole("alert")).toContainText(/slow mode/i);
  // A failed send keeps the text.
  await expect(messageInput(viewerPage)).toHaveValue("second too soon");
  await ownerPage.getByLabel("Slow mode").selectOption("0");
  await expect(viewerPage.getByText("Slow mode: 30 s", { exact: true })).toHaveCount(0);

  await ownerPage.getByLabel("Disable chat").check();
  await expect(viewerPage.getByText("Chat disabled", { exact: true })).toBeVisible();
  await expect(messageInput(viewerPage)).toBeDisabled();
  await ownerPage.getByLabel("Disable chat").uncheck();
  await expect(messageInput(viewerPage)).toBeEnabled();

  await messageRow(ownerPage, "first in slow mode").getByRole("button", { name: `Moderate message from ${member}` }).click();
  await messageRow(ownerPage, "first in slow mode").getByRole("button", { name: "Time out 10 min" }).click();
  await expect(viewerPage.getByText(/You were timed out until/)).toBeVisible();
  await expect(messageInput(viewerPage)).toBeDisabled();
  await expect(ownerPage.getByText(`${member} was timed out until`)).toBeVisible();
});
