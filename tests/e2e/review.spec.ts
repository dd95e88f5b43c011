// Review and deployment in real browsers: a developer proposes from /dev, staff approve on
// /staff in a second browser context, and the app's page is live for a third (anonymous)
// viewer; rolling back from the operations page brings the previous version back.
import { expect, test, type Browser, type BrowserContext, type Page } from "./fixtures";
import { greeterFiles } from "../fixtures/greeter-app";

const appId = `e2e-greeter-${Date.now().toString(36)}`;

async function signedIn(browser: Browser, username: string, password: string, signUp: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (signUp) {
    await page.goto("/signup");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
  } else {
    await page.goto("/signin");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await expect(page.getByRole("banner").getByText(username)).toBeVisible();
  return { context, page };
}

async function trpc(page: Page, procedure: string, input: unknown) {
  const response = await page.request.post(`/api/trpc/${procedure}`, { data: { json: input } });
  expect(response.status(), await response.text()).toBe(200);
}

async function propose(page: Page, title: string) {
  await page.goto(`/dev/apps/${appId}/proposals`);
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Changelog").fill(`${title}: says hello`);
  await page.getByRole("button", { name: "Submit the draft for review" }).click();
  await expect(page.getByRole("link", { name: new RegExp(title) })).toBeVisible();
}

async function approve(page: Page, title: string) {
  await page.goto("/staff/proposals");
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(page.locator('[data-check="validation"]')).toHaveAttribute("data-status", "pass");
  await expect(page.getByRole("region", { name: "Diff of src/hello.js" })).toBeVisible();
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Live: the app now runs this bundle.")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("deploy-progress").locator('[data-state="done"]')).toHaveCount(5);
}

/** The viewer keeps the app's page open and reloads it, as someone told "it's live" would. */
async function expectPage(viewer: Page, version: string) {
  const url = `/apps/${appId}/files/pages/index.html`;
  await expect(async () => {
    if (viewer.url().endsWith(url)) await viewer.reload();
    else await viewer.goto(url);
    await expect(viewer.getByRole("heading", { name: `Greeter ${version}` })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
}

test("a developer proposes, staff approve in another browser, the page goes live; rollback restores it", async ({ browser }) => {
  test.setTimeout(120_000);
  const developer = await signedIn(browser, `dev${Date.now().toString(36)}`, "a-good-password", true);
  const staff = await signedIn(browser, "e2e_staff", "e2e-staff-password", false);
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();

  await trpc(developer.page, "apps.create", { id: appId, name: "Greeter", files: greeterFiles("v1") });
  await propose(developer.page, "Greeter v1");

  // The staff page shows the new permission highlighted.
  await staff.page.goto("/staff/proposals");
  await staff.page.getByRole("link", { name: "Greeter v1" }).click();
  await expect(staff.page.getByTestId("permissions")).toContainText("kv (new)");
  await approve(staff.page, "Greeter v1");

  // The author hears about it live, and the viewer sees the page.
  await expect(developer.page.getByRole("status")).toContainText(/accepted and is live|switched/);
  await expectPage(viewer, "v1");

  await trpc(developer.page, "apps.changeFiles", { appId, changes: greeterFiles("v2").map((file) => ({ op: "write", ...file })) });
  await propose(developer.page, "Greeter v2");
  await approve(staff.page, "Greeter v2");
  await expectPage(viewer, "v2");

  // Import in CCF's form: a bad file is refused clearly, a good one becomes a proposal.
  const ccf = { actions: [{ name: "set_js_app", args: { bundle: { metadata: JSON.parse(greeterFiles("v3")[0]!.content), modules: [{ name: "hello.js", module: greeterFiles("v3")[1]!.content }], files: [{ path: "pages/index.html", base64: Buffer.from(greeterFiles("v3")[2]!.content).toString("base64") }] } } }] };
  await developer.page.goto(`/dev/apps/${appId}/proposals`);
  await developer.page.getByLabel(/import a CCF/).setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{not json") });
  await expect(developer.page.getByRole("alert")).toContainText("broken.json is not JSON");
  await developer.page.getByLabel(/import a CCF/).setInputFiles({ name: "greeter-v3.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(ccf)) });
  await expect(developer.page.getByRole("link", { name: /greeter-v3/ })).toBeVisible();

  await developer.page.goto("/account/notifications");
  await expect(developer.page.getByTestId("notifications")).toContainText("accepted and is live");

  // Roll back to the first deployment from the operations page.
  await staff.page.goto("/staff/apps");
  await staff.page.locator(`tr[data-app="${appId}"]`).getByRole("button", { name: "Deployments" }).click();
  await staff.page.getByRole("button", { name: "Roll back to #1" }).click();
  await expect(staff.page.getByRole("status")).toContainText("Roll back to deployment #1: done");
  await expectPage(viewer, "v1");

  const today = new Date().toISOString().slice(0, 10);
  await staff.page.goto(`/staff/audit?app=${appId}&action=app.rolled-back&from=${today}&to=${today}`);
  await expect(staff.page.getByTestId("audit-table")).toContainText("e2e_staff");

  // The review pages fit a phone: nothing wider than the screen but the diff's own scroller.
  await staff.page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/staff/proposals?state=ALL", "/staff/apps", `/staff/audit?app=${appId}`]) {
    await staff.page.goto(path);
    expect(await staff.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), path).toBe(true);
  }
  await staff.page.goto("/staff/proposals?state=ACCEPTED");
  await staff.page.getByRole("link", { name: "Greeter v2" }).click();
  await expect(staff.page.getByRole("region", { name: "Diff of src/hello.js" })).toBeVisible();
  expect(await staff.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);

  await Promise.all([developer.context.close(), staff.context.close(), viewerContext.close()]);
});
