// Playwright's `test`, with one addition every spec gets by importing it from here: a test fails
// if any page it opened (in any context, made by the fixture or by `browser.newContext`) logged
// a Content-Security-Policy violation. Platform pages run under a nonce-based policy
// (server/http/page-security-headers.ts); this is what proves the policy and the pages agree.
import { test as base, type BrowserContext } from "@playwright/test";

export { expect, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";

const violations: string[] = [];
const watched = new WeakSet<BrowserContext>();

function watchContext(context: BrowserContext): BrowserContext {
  if (watched.has(context)) return context;
  watched.add(context);
  context.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${message.location().url || message.page()?.url()}: ${message.text()}`);
  });
  return context;
}

export const test = base.extend<{ cspViolations: void; provokesCspViolation: boolean }, object>({
  /** Set by the one test that provokes a violation on purpose. */
  provokesCspViolation: [false, { option: true }],
  browser: [
    async ({ browser }, provide) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => watchContext(await newContext(...args));
      // browser.newPage makes its own context, out of reach of newContext: watch it here.
      const newPage = browser.newPage.bind(browser);
      browser.newPage = async (...args) => {
        const page = await newPage(...args);
        watchContext(page.context());
        return page;
      };
      await provide(browser);
    },
    { scope: "worker" },
  ],
  context: async ({ context }, provide) => {
    await provide(watchContext(context));
  },
  cspViolations: [
    async ({ provokesCspViolation }, provide) => {
      violations.length = 0;
      await provide();
      if (!provokesCspViolation) base.expect(violations, "pages logged Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
});
