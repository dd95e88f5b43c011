import { expect, test } from "./fixtures";
import { loadSecrets } from "../../server/secrets";
import { connectBus } from "../../worker/bus-client";

const dataDir = ".data/e2e";

test("/thin on a small screen pairs with a phone, lists live channels and shows a rendered channel page", async ({ browser }) => {
  const username = `thin${Date.now().toString(36)}`;

  // The phone: a signed-up member whose channel goes live (ingest simulated on the internal bus).
  const phone = await browser.newPage();
  await phone.goto("/signup");
  await phone.getByLabel("Username").fill(username);
  await phone.getByLabel("Password").fill("a-good-password");
  await phone.getByRole("button", { name: "Create account" }).click();
  await expect(phone.getByRole("banner").getByText(username)).toBeVisible();
  const rotated = await phone.request.post("/api/trpc/streams.rotateKey", { data: {} });
  const streamKey = ((await rotated.json()) as { result: { data: { json: { streamKey: string } } } }).result.data.json.streamKey;
  const ingest = connectBus({ serverUrl: new URL(phone.url()).origin, secret: loadSecrets({ dataDir }).internalSecret, label: "worker:e2ethin", reconnection: false });
  await new Promise<void>((resolve) => ingest.socket.once("connect", () => resolve()));
  try {
    const accepted = await ingest.bus.ask("web-api", "checkKeyExists", { streamKey, sessionId: "thin-e2e" });
    expect(accepted.allowed).toBe(true);
    ingest.bus.tell("web-api", "setOnline", { channel: username, publicId: accepted.publicId!, sessionId: "thin-e2e", workerId: "e2ethin", startedAt: Date.now() });

    // The thin device: small screen, signed out → shows a pairing code.
    const deviceContext = await browser.newContext({ viewport: { width: 320, height: 480 } });
    const device = await deviceContext.newPage();
    const scripts: number[] = [];
    device.on("response", async (response) => {
      if (response.request().resourceType() === "script") scripts.push((await response.body()).length);
    });
    const sentPackets: string[] = [];
    device.on("websocket", (socket) => socket.on("framesent", (event) => typeof event.payload === "string" && sentPackets.push(event.payload)));
    await device.goto("/thin");
    const code = device.locator("#code");
    await expect(code).toHaveText(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    await phone.goto("/pair");
    await phone.getByLabel("Code").fill((await code.textContent())!);
    await phone.getByRole("button", { name: "Pair device" }).click();
    await expect(phone.getByRole("status")).toContainText("is signed in");

    // Paired: the live channel is listed; opening it streams the rendered channel page.
    const channel = device.getByRole("button", { name: new RegExp(`^${username}`) });
    await expect(channel).toBeVisible({ timeout: 15_000 });
    await channel.click();
    const frame = device.locator("#frame");
    await expect.poll(() => frame.evaluate((image: HTMLImageElement) => image.naturalWidth), { timeout: 20_000 }).toBe(320);
    await expect(device.locator("#stat")).toContainText(/\d+ fps · \d+ KB\/s/);
    // Not a blank picture: the page was really rendered. Polled, because a newer frame may be
    // loading into the image at the moment of reading (then it has no size yet).
    const distinctColours = () => frame.evaluate((image: HTMLImageElement) => {
      if (!image.complete || image.naturalWidth === 0) return 0;
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4 * 97) colours.add((pixels[i]! >> 4) * 256 + (pixels[i + 1]! >> 4) * 16 + (pixels[i + 2]! >> 4));
      return colours.size;
    });
    await expect.poll(distinctColours, { timeout: 10_000 }).toBeGreaterThan(3);
    await device.screenshot({ path: "test-results/thin-channel.png" });

    // The session shows the channel's watch page at the device's size.
    const token = await device.evaluate(() => localStorage.getItem("canopy.thin.token"));
    const sessions = await device.request.get("/render/api/sessions", { headers: { authorization: `Bearer ${token}` } });
    const listed = (await sessions.json()) as { sessions: Array<{ page_info: { url: string }; width: number; height: number }> };
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0]!.page_info.url).toMatch(new RegExp(`/c/${username}$`));
    expect(listed.sessions[0]!.width).toBe(320);

    // Tiny: one script, well under 30 KB.
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!).toBeLessThan(30 * 1024);

    // Taps, wheel and keys become Jiomosa input events in the page's coordinates.
    const inputs = () => sentPackets.filter((packet) => packet.startsWith("42/render,")).map((packet) => JSON.parse(packet.slice(packet.indexOf("["))) as [string, Record<string, unknown>]);
    const box = (await frame.boundingBox())!;
    await device.mouse.click(box.x + box.width / 2, box.y + 100);
    await device.mouse.move(box.x + 50, box.y + 50);
    await device.mouse.wheel(0, 120);
    await device.keyboard.press("a");
    await device.keyboard.press("Enter");
    await expect.poll(() => inputs().map(([event]) => event)).toEqual(expect.arrayContaining(["input:click", "input:scroll", "input:text", "input:key"]));
    const sent = Object.fromEntries(inputs());
    expect(sent["input:click"]).toEqual({ x: 160, y: 100 });
    expect(sent["input:scroll"]).toMatchObject({ deltaX: 0, deltaY: 120, x: 50, y: 50 });
    expect(sent["input:text"]).toEqual({ text: "a" });
    expect(sent["input:key"]).toEqual({ key: "Enter" });

    // Back closes the session.
    await device.getByRole("button", { name: "Back" }).click();
    await expect.poll(async () => ((await (await device.request.get("/render/api/sessions", { headers: { authorization: `Bearer ${token}` } })).json()) as { active_sessions: number }).active_sessions).toBe(0);
    await deviceContext.close();
  } finally {
    ingest.socket.close();
  }
});
