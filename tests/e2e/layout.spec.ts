// The main pages on a phone (390 px) and a portrait tablet (820 px): nothing is wider than the
// viewport, no control sticks out of its card, and the header's links and buttons do not overlap.
// Staff is signed in so the header carries its longest navigation and the staff tables have rows.
import { expect, test, type Page } from "./fixtures";

const suffix = Date.now().toString(36).slice(-6);

async function signInAsStaff(page: Page): Promise<void> {
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await page.request.post("/api/auth/callback/credentials", { form: { username: "e2e_staff", password: "e2e-staff-password", csrfToken, json: "true" } });
  expect(response.ok()).toBe(true);
}

/** Returns a line for each layout fault found on the page as it is now shown. */
function layoutFaults(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const faults: string[] = [];
    const describe = (element: Element) => `<${element.tagName.toLowerCase()}> "${(element.textContent ?? "").trim().slice(0, 40)}"`;
    // A box that scrolls or clips its content is allowed to hold wider content (the code editor, the chat log).
    const insideScroller = (element: Element, upTo: Element | null) => {
      for (let parent = element.parentElement; parent && parent !== upTo && parent !== document.body; parent = parent.parentElement) {
        if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(parent).overflowX)) return true;
      }
      return false;
    };
    const viewportWidth = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > viewportWidth) {
      // Name the innermost elements that reach past the viewport, so a failure says what to fix.
      const culprits = [...document.body.querySelectorAll("*")].filter((element) => element.getBoundingClientRect().right > viewportWidth + 0.5 && !insideScroller(element, null) && ![...element.children].some((child) => child.getBoundingClientRect().right > viewportWidth + 0.5));
      faults.push(`page is ${document.documentElement.scrollWidth}px wide in a ${viewportWidth}px viewport: ${culprits.slice(0, 3).map(describe).join(", ")}`);
    }

    for (const card of document.querySelectorAll(".card")) {
      const box = card.getBoundingClientRect();
      for (const control of card.querySelectorAll("button, a, input, select, textarea, table, code, pre")) {
        const rect = control.getBoundingClientRect();
        if (rect.width <= 2 || insideScroller(control, card)) continue;
        if (rect.right > box.right + 0.5 || rect.left < box.left - 0.5) faults.push(`${describe(control)} sticks out of its card`);
      }
    }

    const headerControls = [...document.querySelectorAll("header a, header button")].filter((element) => {
      const rect = element.getBoundingClientRect();
      return rect.width > 2 && rect.height > 2;
    });
    headerControls.forEach((first, index) => {
      for (const second of headerControls.slice(index + 1)) {
        const a = first.getBoundingClientRect();
        const b = second.getBoundingClientRect();
        const overlapX = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const overlapY = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (overlapX > 1 && overlapY > 1) faults.push(`header: ${describe(first)} overlaps ${describe(second)}`);
      }
    });
    return faults;
  });
}

for (const viewport of [
  { name: "phone", width: 390, height: 844 },
  { name: "tablet", width: 820, height: 1180 },
]) {
  test(`the main pages fit a ${viewport.name} (${viewport.width} px) without horizontal overflow or overlap`, async ({ browser }) => {
    const staff = await (await browser.newContext({ viewport, isMobile: true, hasTouch: true })).newPage();
    await signInAsStaff(staff);
    // An app with a long id: the editor page exists, and the apps-operations table has a row with every action.
    // Ids are at most 40 characters; this one is close.
    const appId = `${viewport.name}-layout-check-long-app-id-${suffix}`;
    const created = await staff.request.post("/api/trpc/apps.create", { data: { json: { id: appId, name: `Layout check on a ${viewport.name}` } } });
    expect(created.ok()).toBe(true);
    const anonymous = await (await browser.newContext({ viewport, isMobile: true, hasTouch: true })).newPage();

    const pages: Array<[Page, string]> = [
      [staff, "/"],
      [staff, "/c/e2e_staff"],
      [staff, "/chat/e2e_staff"],
      [staff, "/staff"],
      [staff, "/staff/proposals"],
      [staff, "/staff/audit"],
      [staff, "/staff/apps"],
      [staff, "/dev"],
      [staff, `/dev/apps/${appId}`],
      [staff, "/account"],
      [anonymous, "/"],
      [anonymous, "/signin"],
      [anonymous, "/signup"],
      [anonymous, "/pair"],
    ];
    for (const [page, path] of pages) {
      await page.goto(path);
      await expect(page.getByRole("main")).toBeVisible();
      expect(await layoutFaults(page), `${path} at ${viewport.width} px`).toEqual([]);
      if (path === "/staff/apps") {
        await page.getByRole("button", { name: "Deployments" }).first().tap();
        await expect(page.getByRole("heading", { name: /^Deployments of/ })).toBeVisible();
        expect(await layoutFaults(page), `${path} with an app's deployments open at ${viewport.width} px`).toEqual([]);
      }
    }
  });
}
