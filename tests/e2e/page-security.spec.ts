// The platform's pages carry a nonce-based Content-Security-Policy: Next's scripts run (the page
// hydrates), a script without this request's nonce does not, and the nonce is new every time.
import { expect, test } from "./fixtures";

test("platform pages send a nonce policy without unsafe-inline scripts, and a fresh nonce per request", async ({ request }) => {
  const nonces = new Set<string>();
  for (const path of ["/", "/signin", "/thin", "/dev"]) {
    const response = await request.get(path);
    const policy = response.headers()["content-security-policy"] ?? "";
    const scriptSrc = policy.split(";").find((directive) => directive.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc, path).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
    expect(scriptSrc, path).not.toContain("unsafe-inline");
    expect(scriptSrc, path).not.toContain("unsafe-eval");
    expect(policy, path).toContain("object-src 'none'");
    expect(policy, path).toContain("frame-ancestors 'self'");
    const nonce = scriptSrc.match(/'nonce-([^']+)'/)![1]!;
    // Next's own script tags carry it.
    expect(await response.text(), path).toContain(`nonce="${nonce}"`);
    nonces.add(nonce);
  }
  expect(nonces.size).toBe(4);
});

test.describe(() => {
  test.use({ provokesCspViolation: true });

  test("a script without the nonce is refused on a platform page, and the page still works", async ({ page }) => {
    // Stands in for markup an attacker got into the page: an inline script with no nonce.
    await page.route("**/signin", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace("</body>", "<script>window.__injected = true</script></body>");
      await route.fulfill({ response, body: html });
    });
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto("/signin");
    await expect(page.getByRole("button", { name: /sign in/i })).toBeVisible();
    // Next's own inline scripts, which carry the nonce, ran.
    expect(await page.evaluate(() => Array.isArray((window as unknown as { __next_f?: unknown }).__next_f))).toBe(true);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations.join("\n")).toMatch(/inline script/i);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  });
});
