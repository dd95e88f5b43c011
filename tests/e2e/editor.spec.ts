import { expect, test, type Page } from "./fixtures";

// The online editor on a tablet with touch emulation: portrait 768×1024, and landscape 1024×768
// for the diagnostics test. Buttons are tapped; text goes in as an on-screen keyboard sends it.
const tablet = { hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
test.use({ viewport: { width: 768, height: 1024 }, ...tablet });

async function signUp(page: Page): Promise<string> {
  const username = `dev${Date.now().toString(36)}`;
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("a-good-password");
  await page.getByRole("button", { name: "Create account" }).tap();
  await expect(page.getByRole("banner").getByText(username)).toBeVisible();
  return username;
}

async function createApp(page: Page, options: { name: string; template: string }): Promise<string> {
  await page.goto("/dev");
  await page.getByRole("button", { name: "New app" }).tap();
  await page.getByRole("radio", { name: new RegExp(options.template) }).tap();
  await page.getByLabel("Name").fill(options.name);
  const id = await page.getByLabel("App id").inputValue();
  await page.getByRole("button", { name: "Create app" }).tap();
  await expect(page).toHaveURL(new RegExp(`/dev/apps/${id}$`));
  return id;
}

/** Waits until Monaco shows `fileName` and is editable, then puts the cursor at the end. */
async function focusEditorEnd(page: Page, fileName: string) {
  await expect(page.getByRole("tab", { name: fileName, selected: true })).toBeVisible();
  await expect(page.locator(".monaco-editor .view-lines")).toBeVisible({ timeout: 30_000 });
  // The editor's own box stays put while its lines scroll: tap near its top-left text.
  await page.locator(".monaco-editor").first().tap({ position: { x: 80, y: 10 } });
  await page.keyboard.press("ControlOrMeta+End");
}

async function openFile(page: Page, path: string) {
  const tree = page.getByRole("navigation", { name: "Files" });
  // In portrait the file tree is a drawer, closed while editing.
  if (!(await tree.isVisible())) await tapToolbar(page, "Files");
  await tree.getByRole("button", { name: path.split("/").pop(), exact: true }).tap();
}

async function tapToolbar(page: Page, name: string | RegExp) {
  await page.getByRole("toolbar", { name: "Editor" }).getByRole("button", { name }).tap();
}

async function openPanel(page: Page, name: RegExp) {
  await page.getByRole("tab", { name }).tap();
}

test("a developer creates an app from a template, types with completions, saves, runs the preview and sees its log", async ({ page }) => {
  await signUp(page);
  await createApp(page, { name: `Hello ${Date.now().toString(36)}`, template: "Blank" });
  await focusEditorEnd(page, "main.ts");

  // IntelliSense from the platform's .d.ts.
  await page.keyboard.type("canopy.chat.");
  const suggestions = page.locator(".monaco-editor .suggest-widget");
  await expect(suggestions).toBeVisible();
  await expect(suggestions.getByText("send", { exact: true }).first()).toBeVisible();
  await page.keyboard.press("Escape");
  for (let index = 0; index < "canopy.chat.".length; index++) await page.keyboard.press("Backspace");

  await page.keyboard.insertText('console.log("hello from the preview", 6 * 7);\n');
  await expect(page.getByRole("tab", { name: /main\.ts/ }).getByRole("img", { name: "unsaved changes" })).toBeVisible();
  await tapToolbar(page, /^Save/);
  await expect(page.getByRole("toolbar", { name: "Editor" }).getByRole("status")).toContainText("All changes saved");
  await expect(page.getByRole("tab", { name: /main\.ts/ }).getByRole("img", { name: "unsaved changes" })).toHaveCount(0);

  await tapToolbar(page, "Run preview");
  await expect(page.getByRole("toolbar", { name: "Editor" }).getByText("Preview: running")).toBeVisible({ timeout: 30_000 });
  await openPanel(page, /^Console/);
  await expect(page.getByRole("list", { name: "Preview log" })).toContainText("hello from the preview 42", { timeout: 30_000 });
});

test.describe("landscape", () => {
  test.use({ viewport: { width: 1024, height: 768 }, ...tablet });

  test("an invalid app.json and a syntax error each show a clear diagnostic and the preview keeps running", async ({ page }) => {
    await signUp(page);
    await createApp(page, { name: `Broken ${Date.now().toString(36)}`, template: "Blank" });
    await focusEditorEnd(page, "main.ts");
    await tapToolbar(page, "Run preview");
    const toolbar = page.getByRole("toolbar", { name: "Editor" });
    await expect(toolbar.getByText("Preview: running")).toBeVisible({ timeout: 30_000 });

    // app.json: a field the manifest does not know.
    await openFile(page, "app.json");
    await expect(page.getByRole("tab", { name: "app.json", selected: true })).toBeVisible();
    await page.locator(".monaco-editor").first().tap({ position: { x: 80, y: 10 } });
    await page.keyboard.press("ControlOrMeta+Home");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.insertText('"unknownField": true,');
    await openPanel(page, /^Problems/);
    const problems = page.getByRole("list", { name: "Problems" });
    await expect(problems).toContainText(/app\.json:2.*unknownField.*not allowed/i);
    await tapToolbar(page, /^Save/);
    await expect(problems.getByRole("button", { name: /app\.json.*Preview \(validating\).*unknownField/ })).toBeVisible({ timeout: 30_000 });
    await expect(toolbar.getByText("Preview: running")).toBeVisible();

    // Undo the manifest error with the toolbar (typing is undone a word at a time), then a syntax error in the module.
    for (let taps = 0; taps < 8 && (await problems.getByText(/unknownField|Expected comma/).count()) > 0; taps++) {
      await tapToolbar(page, "Undo");
      await page.waitForTimeout(300);
    }
    await expect(problems.getByText(/Property unknownField/)).toHaveCount(0);
    await tapToolbar(page, /^Save/);
    await expect(toolbar.getByRole("status")).toContainText("All changes saved");
    await openFile(page, "src/main.ts");
    await focusEditorEnd(page, "main.ts");
    await page.keyboard.insertText("const = ;\n");
    await expect(problems).toContainText(/main\.ts:\d+.*(expected|Variable declaration)/i);
    await tapToolbar(page, /^Save/);
    await expect(problems.getByRole("button", { name: /src\/main\.ts:\d+.*Preview \(starting\)/ })).toBeVisible({ timeout: 30_000 });
    await expect(toolbar.getByText("Preview: running")).toBeVisible();
  });
});

test("saving over a newer revision shows the diff instead of overwriting; offline edits are kept and saved when the connection is back", async ({ page }) => {
  await signUp(page);
  const appId = await createApp(page, { name: `Shared ${Date.now().toString(36)}`, template: "Blank" });
  await focusEditorEnd(page, "main.ts");

  // A second tab of the same developer saves first.
  const other = await page.context().newPage();
  await other.goto(`/dev/apps/${appId}`);
  await focusEditorEnd(other, "main.ts");
  await other.keyboard.insertText("// saved in the other tab\n");
  await tapToolbar(other, /^Save/);
  await expect(other.getByRole("toolbar", { name: "Editor" }).getByRole("status")).toContainText("All changes saved");
  await other.close();

  await page.keyboard.insertText("// mine\n");
  await tapToolbar(page, /^Save/);
  const conflict = page.getByRole("alertdialog", { name: "Someone saved a newer version" });
  await expect(conflict).toBeVisible();
  await expect(conflict.locator(".monaco-diff-editor")).toBeVisible();
  await expect(conflict).toContainText("saved in the other tab");
  await conflict.getByRole("button", { name: "Keep mine and save" }).tap();
  await expect(conflict).toHaveCount(0);
  await expect(page.getByRole("toolbar", { name: "Editor" }).getByRole("status")).toContainText("All changes saved");

  // Offline: the save is kept on the device and goes through by itself once the connection is back.
  const status = page.getByRole("toolbar", { name: "Editor" }).getByRole("status");
  await focusEditorEnd(page, "main.ts");
  await page.context().setOffline(true);
  await page.keyboard.insertText("// written offline\n");
  await tapToolbar(page, /^Save/);
  await expect(page.getByText("Offline: your edits are kept on this device")).toBeVisible();
  await page.context().setOffline(false);
  await expect(status).toContainText("All changes saved", { timeout: 15_000 });

  // Unsaved edits survive a reload (a closed tab, a crashed browser).
  await focusEditorEnd(page, "main.ts");
  await page.keyboard.insertText("// not saved yet\n");
  await expect(status).toContainText("1 unsaved file");
  await page.waitForFunction((id) => (localStorage.getItem(`canopy-editor:${id}`) ?? "").includes("not saved yet"), appId);
  await page.reload();
  await expect(page.getByRole("tab", { name: /main\.ts/ }).getByRole("img", { name: "unsaved changes" })).toBeVisible();
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("not saved yet");
});

test("the request panel calls the preview's endpoints, the console shows their metrics, and history restores an earlier revision", async ({ page }) => {
  await signUp(page);
  await createApp(page, { name: `Notes ${Date.now().toString(36)}`, template: "HTTP endpoints" });
  await focusEditorEnd(page, "notes.ts");
  await tapToolbar(page, "Run preview");
  await expect(page.getByRole("toolbar", { name: "Editor" }).getByText("Preview: running")).toBeVisible({ timeout: 30_000 });

  await openPanel(page, /^Request/);
  await page.getByRole("button", { name: "POST /notes" }).tap();
  await page.getByLabel("Body").fill('{"text": "from the tablet"}');
  await page.getByRole("button", { name: "Send" }).tap();
  await expect(page.getByTestId("response-status")).toContainText("201");
  await expect(page.getByTestId("response-body")).toContainText('"text": "from the tablet"');
  await page.getByRole("button", { name: "GET /notes", exact: true }).tap();
  await page.getByRole("button", { name: "Send" }).tap();
  await expect(page.getByTestId("response-status")).toContainText("200");
  await expect(page.getByTestId("response-body")).toContainText("from the tablet");
  await openPanel(page, /^Console/);
  await expect(page.getByRole("list", { name: "Preview log" })).toContainText(/POST \/notes → 201 in [\d.]+ ms/);

  // Edit, save, then restore the template's revision from the history.
  await focusEditorEnd(page, "notes.ts");
  await page.keyboard.insertText("// a later edit\n");
  await tapToolbar(page, /^Save/);
  await expect(page.getByRole("toolbar", { name: "Editor" }).getByRole("status")).toContainText("All changes saved");
  await openPanel(page, /^History/);
  const original = page.getByRole("button", { name: /Created from the http-endpoints template/ });
  await original.tap();
  await expect(page.locator(".monaco-diff-editor")).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: /^Restore revision/ }).tap();
  await expect(page.getByRole("button", { name: /Restored src\/notes\.ts to revision/ })).toBeVisible();
  await expect(page.locator(".monaco-editor .view-lines").first()).not.toContainText("a later edit");
});

test("/dev exports an app as a ZIP, imports it as a new app, refuses a bad ZIP and deletes an app after its id is typed", async ({ page }) => {
  await signUp(page);
  const appId = await createApp(page, { name: `Zipped ${Date.now().toString(36)}`, template: "Page with RPC" });
  await page.goto("/dev");
  const row = page.locator(`li[data-app-id="${appId}"]`);
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("button", { name: "Export ZIP" }).tap()]);
  expect(download.suggestedFilename()).toBe(`${appId}.zip`);
  const zipPath = await download.path();

  await page.getByRole("button", { name: "Import ZIP" }).tap();
  await page.getByLabel(/ZIP file/).setInputFiles({ name: "broken.zip", mimeType: "application/zip", buffer: Buffer.from("not a zip at all") });
  await page.getByLabel("App id").fill(`${appId}-broken`);
  await page.getByRole("button", { name: "Import", exact: true }).tap();
  await expect(page.getByRole("alert")).toContainText("Not a readable ZIP file");

  await page.getByLabel(/ZIP file/).setInputFiles(zipPath);
  await page.getByLabel("App id").fill(`${appId}-copy`);
  await page.getByRole("button", { name: "Import", exact: true }).tap();
  await expect(page).toHaveURL(new RegExp(`/dev/apps/${appId}-copy$`));
  await expect(page.getByRole("tab", { name: "main.ts", selected: true })).toBeVisible();

  await page.goto("/dev");
  const copyRow = page.locator(`li[data-app-id="${appId}-copy"]`);
  await copyRow.getByRole("button", { name: "Delete" }).tap();
  const confirm = copyRow.getByRole("button", { name: `Delete ${appId}-copy for good` });
  await expect(confirm).toBeDisabled();
  await copyRow.getByLabel(`Type ${appId}-copy to confirm`).fill(`${appId}-copy`);
  await confirm.tap();
  await expect(copyRow).toHaveCount(0);
  await expect(page.locator(`li[data-app-id="${appId}"]`)).toBeVisible();
});

test("an uploaded asset joins the file tree and an app page opens from the running preview", async ({ page }) => {
  await signUp(page);
  const appId = await createApp(page, { name: `Paged ${Date.now().toString(36)}`, template: "Page with RPC" });
  await focusEditorEnd(page, "main.ts");
  await tapToolbar(page, "Run preview");
  await expect(page.getByRole("toolbar", { name: "Editor" }).getByText("Preview: running")).toBeVisible({ timeout: 30_000 });

  await tapToolbar(page, "Files");
  const tree = page.getByRole("navigation", { name: "Files" });
  const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
  await tree.getByText("Upload").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: png });
  await expect(tree.getByRole("button", { name: "logo.png", exact: true })).toBeVisible();
  const stored = await page.request.get(`/api/trpc/apps.readFile?input=${encodeURIComponent(JSON.stringify({ json: { appId, path: "assets/logo.png" } }))}`);
  expect(stored.status()).toBe(200);

  const [pageTab] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("link", { name: /^Open Paged/ }).tap()]);
  // The preview page opens in its host, which frames the sandboxed draft page and relays its appbridge.
  await expect(pageTab).toHaveURL(new RegExp(`/a/${appId}/[a-z0-9-]+\\?preview=1$`));
  await expect(pageTab.frameLocator("iframe").getByRole("heading", { level: 1 })).toHaveText(/^Paged/);
});
