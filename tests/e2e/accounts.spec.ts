import { expect, test } from "./fixtures";

test("a new user signs up, signs out and signs in again in a real browser", async ({ page }) => {
  const username = `user${Date.now().toString(36)}`;
  await page.goto("/");
  await page.getByRole("link", { name: "Sign up" }).first().click();
  await expect(page).toHaveURL(/\/signup/);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("a-good-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("banner").getByText(username)).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("banner").getByText(username)).toHaveCount(0);

  await page.getByRole("banner").getByRole("link", { name: "Sign in" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();

  await page.getByLabel("Password").fill("a-good-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByText(username)).toBeVisible();
});

test("sign-up shows clear errors for a taken username and a short password", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Username").fill("e2e_staff");
  await page.getByLabel("Password").fill("a-good-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText(/taken/i);

  await page.getByLabel("Username").fill("fresh_name");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText(/8 characters/i);
});

test("staff see the Staff link; the account page creates and revokes an API token", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Username").fill("e2e_staff");
  await page.getByLabel("Password").fill("e2e-staff-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Staff" }).first()).toBeAttached();

  await page.goto("/account");
  await page.getByLabel("Token name").fill("e2e script");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByTestId("new-token").textContent();
  expect(token).toMatch(/^cnp_/);
  const accepted = await page.request.get("/api/trpc/account.me", { headers: { authorization: `Bearer ${token}` } });
  expect(accepted.status()).toBe(200);

  await page.getByRole("button", { name: "Revoke token e2e script" }).click();
  await page.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.getByText(/Revoked/).first()).toBeVisible();
  const refused = await page.request.get("/api/trpc/account.me", { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
});

test("staff manage the render farm's allow list on the staff page", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Username").fill("e2e_staff");
  await page.getByLabel("Password").fill("e2e-staff-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByText("e2e_staff")).toBeVisible();

  await page.goto("/staff");
  const hosts = page.getByRole("list", { name: "Allowed hosts" });
  await page.getByLabel("Host to allow").fill("10.0.0.1");
  await page.getByRole("button", { name: "Allow host" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /host name/i })).toBeVisible();

  await page.getByLabel("Host to allow").fill("docs.example.org");
  await page.getByRole("button", { name: "Allow host" }).click();
  await expect(hosts.locator("code", { hasText: "docs.example.org" })).toBeVisible();
  await page.getByRole("button", { name: "Remove docs.example.org" }).click();
  await expect(hosts.locator("code", { hasText: "docs.example.org" })).toHaveCount(0);
});
