// One render session: an incognito BrowserContext with one page, a CDP screencast that runs while
// someone watches (rate limited by delaying the frame ack), input injection, and the URL policy
// on every document request (navigations, redirects, iframes) through the Fetch domain.
import type { BrowserContext, CDPSession, KeyInput, Page } from "puppeteer-core";
import { AppError } from "../../server/errors";
import type { Logger } from "../../server/logger";
import type { RenderFrame, RenderInput, RenderPageInfo, RenderSessionSummary, RenderTarget } from "../../server/internal/protocol";
import { checkUrlResolved, type LookupAll, type UrlPolicy } from "../../server/render/url-policy";

/** A context with its page and CDP session, ready before anyone asks (the warm pool holds these). */
export type PreparedPage = { context: BrowserContext; page: Page; cdp: CDPSession };

export type { RenderFrame };

export type SessionEnvironment = {
  policy: () => UrlPolicy;
  /** Where Canopy paths are loaded from (the server node's URL as this worker reaches it, now). */
  serverUrl: () => string;
  lookup: LookupAll;
  logger: Logger;
  maxFrameBytes: number;
  onFrame: (frame: RenderFrame) => void;
  onFailed: (session: RenderSession, message: string) => void;
};

const navigationTimeoutMs = 15_000;

/** Keys a client may press by name; single printable characters are allowed too. */
const namedKeys = new Set<string>([
  "Enter", "Tab", "Backspace", "Delete", "Escape", "Space", "Home", "End", "PageUp", "PageDown", "Insert",
  "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight",
  "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
]);

export async function preparePage(context: BrowserContext): Promise<PreparedPage> {
  const page = await context.newPage();
  const cdp = await page.createCDPSession();
  // Only documents (top-level navigations, redirects, iframes) stop here; subresources go
  // straight to the egress proxy, which checks their addresses.
  await cdp.send("Fetch.enable", { patterns: [{ urlPattern: "*", resourceType: "Document", requestStage: "Request" }] });
  await cdp.send("Page.enable");
  return { context, page, cdp };
}

export class RenderSession {
  readonly createdAt = Date.now();
  lastActivity = Date.now();
  subscribers = 0;
  quality: number;
  fps: number;
  width: number;
  height: number;
  closed = false;

  private readonly context: BrowserContext;
  private readonly page: Page;
  private readonly cdp: CDPSession;
  private casting = false;
  private seq = 0;
  private nextSlot = 0;
  private blocked: { url: string; reason: string } | null = null;
  private oversizeLogged = false;

  constructor(
    readonly id: string,
    readonly ownerId: string,
    prepared: PreparedPage,
    settings: { width: number; height: number; quality: number; fps: number },
    private readonly env: SessionEnvironment,
  ) {
    this.context = prepared.context;
    this.page = prepared.page;
    this.cdp = prepared.cdp;
    this.width = settings.width;
    this.height = settings.height;
    this.quality = settings.quality;
    this.fps = settings.fps;

    this.cdp.on("Fetch.requestPaused", (event) => void this.onDocumentRequest(event.requestId, event.request.url));
    this.cdp.on("Page.screencastFrame", (event) => this.onScreencastFrame(event.data, event.sessionId, event.metadata));
    this.page.on("dialog", (dialog) => void dialog.dismiss().catch(() => undefined));
    this.page.on("error", (error) => this.env.onFailed(this, `page crashed: ${error.message}`));
    // Popups would be tabs of their own that never paint; the session shows one page.
    this.context.on("targetcreated", (target) => {
      if (target.type() !== "page" || target === this.page.target()) return;
      void target.page().then((popup) => popup?.close()).catch(() => undefined);
    });
  }

  async start(): Promise<void> {
    await this.page.setViewport({ width: this.width, height: this.height, deviceScaleFactor: 1 });
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  private async onDocumentRequest(requestId: string, rawUrl: string): Promise<void> {
    let reason: string | null = null;
    try {
      const verdict = await checkUrlResolved(new URL(rawUrl), this.env.policy(), this.env.lookup, { document: true });
      if (!verdict.ok) reason = verdict.reason;
    } catch {
      reason = "not a valid URL";
    }
    try {
      if (reason) {
        this.blocked = { url: rawUrl, reason };
        this.env.logger.info("render navigation refused", { sessionId: this.id, reason });
        await this.cdp.send("Fetch.failRequest", { requestId, errorReason: "BlockedByClient" });
      } else {
        await this.cdp.send("Fetch.continueRequest", { requestId });
      }
    } catch {
      // The page or the request went away meanwhile.
    }
  }

  private resolveTarget(target: RenderTarget): URL {
    return target.kind === "canopy" ? new URL(target.path, this.env.serverUrl()) : new URL(target.url);
  }

  async load(target: RenderTarget): Promise<RenderPageInfo> {
    this.touch();
    const url = this.resolveTarget(target);
    const verdict = await checkUrlResolved(url, this.env.policy(), this.env.lookup, { document: true });
    if (!verdict.ok) throw new AppError("FORBIDDEN", `Refused to load: ${verdict.reason}`);
    this.blocked = null;
    try {
      await this.page.goto(url.href, { waitUntil: "load", timeout: navigationTimeoutMs });
    } catch (error) {
      const blocked = this.blocked as { url: string; reason: string } | null;
      if (blocked) throw new AppError("FORBIDDEN", `Refused to load ${blocked.url}: ${blocked.reason}`);
      const message = error instanceof Error ? error.message : String(error);
      // A page that is still loading after the timeout is shown as it is.
      if (!/timeout/i.test(message)) throw new AppError("BAD_REQUEST", `Could not load the page: ${message.split("\n")[0]}`);
    }
    return this.pageInfo();
  }

  async pageInfo(): Promise<RenderPageInfo> {
    const url = this.page.url();
    const title = await Promise.race([this.page.title().catch(() => ""), new Promise<string>((resolve) => setTimeout(() => resolve(""), 2000))]);
    let canopyPath: string | undefined;
    try {
      const parsed = new URL(url);
      if (this.env.policy().ownOrigins.includes(parsed.origin)) canopyPath = parsed.pathname + parsed.search + parsed.hash;
    } catch {
      // about:blank and the like
    }
    return { url, title: title.slice(0, 1000), canopyPath };
  }

  async summary(): Promise<RenderSessionSummary> {
    return {
      sessionId: this.id,
      ownerId: this.ownerId,
      createdAt: this.createdAt,
      lastActivity: this.lastActivity,
      width: this.width,
      height: this.height,
      quality: this.quality,
      fps: this.fps,
      pageInfo: await this.pageInfo(),
    };
  }

  /** The screencast runs only while someone watches; a page that does not change sends nothing. */
  async setSubscribers(count: number): Promise<void> {
    this.subscribers = count;
    this.touch();
    if (count > 0 && !this.casting) await this.startCast();
    else if (count === 0 && this.casting) await this.stopCast();
  }

  private async startCast(): Promise<void> {
    this.casting = true;
    this.nextSlot = 0;
    await this.cdp.send("Page.startScreencast", { format: "jpeg", quality: this.quality, everyNthFrame: 1, maxWidth: this.width, maxHeight: this.height });
  }

  private async stopCast(): Promise<void> {
    this.casting = false;
    await this.cdp.send("Page.stopScreencast").catch(() => undefined);
  }

  async setSettings(settings: { quality?: number; fps?: number }): Promise<{ quality: number; fps: number }> {
    if (settings.fps !== undefined) this.fps = settings.fps;
    if (settings.quality !== undefined && settings.quality !== this.quality) {
      this.quality = settings.quality;
      // Quality is a parameter of the screencast itself.
      if (this.casting) {
        await this.stopCast();
        await this.startCast();
      }
    }
    return { quality: this.quality, fps: this.fps };
  }

  private onScreencastFrame(data: string, castSessionId: number, metadata: { deviceWidth: number; deviceHeight: number }): void {
    if (this.closed) return;
    const now = performance.now();
    // The frame rate is limited by when we acknowledge: Chromium sends a new frame only after an
    // ack (it allows a couple in flight). Acks follow a grid of 1/fps slots; a frame that comes
    // late is acked at once and the grid is kept, so lateness (production time under load) does
    // not lower the rate, and at most one missed slot is made up, so the cap holds.
    const interval = 1000 / this.fps;
    const slot = Math.max(this.nextSlot, now - interval);
    this.nextSlot = slot + interval;
    const ack = () => void this.cdp.send("Page.screencastFrameAck", { sessionId: castSessionId }).catch(() => undefined);
    if (slot <= now) ack();
    else setTimeout(ack, slot - now);
    if (!this.casting) return;
    const bytes = Buffer.from(data, "base64");
    if (bytes.length > this.env.maxFrameBytes) {
      if (!this.oversizeLogged) this.env.logger.warn("render frame too large, dropped", { sessionId: this.id, bytes: bytes.length });
      this.oversizeLogged = true;
      return;
    }
    this.env.onFrame({
      sessionId: this.id,
      seq: this.seq++,
      data: bytes,
      timestamp: Date.now(),
      width: Math.round(metadata.deviceWidth),
      height: Math.round(metadata.deviceHeight),
      quality: this.quality,
    });
  }

  async input(input: RenderInput): Promise<void> {
    this.touch();
    const clampX = (x: number) => Math.max(0, Math.min(this.width - 1, x));
    const clampY = (y: number) => Math.max(0, Math.min(this.height - 1, y));
    switch (input.type) {
      case "click": {
        // Sent back to back (one round trip, not three): the click reaches the page sooner.
        const at = { x: clampX(input.x), y: clampY(input.y) };
        const button = input.button ?? "left";
        const mask = { left: 1, right: 2, middle: 4 }[button];
        await Promise.all([
          this.cdp.send("Input.dispatchMouseEvent", { type: "mouseMoved", ...at }),
          this.cdp.send("Input.dispatchMouseEvent", { type: "mousePressed", ...at, button, buttons: mask, clickCount: 1 }),
          this.cdp.send("Input.dispatchMouseEvent", { type: "mouseReleased", ...at, button, buttons: 0, clickCount: 1 }),
        ]);
        return;
      }
      case "scroll":
        await this.cdp.send("Input.dispatchMouseEvent", {
          type: "mouseWheel",
          x: clampX(input.x ?? this.width / 2),
          y: clampY(input.y ?? this.height / 2),
          deltaX: input.deltaX,
          deltaY: input.deltaY,
        });
        return;
      case "text":
        await this.cdp.send("Input.insertText", { text: input.text });
        return;
      case "key": {
        const key = input.key === "Space" ? " " : input.key;
        const printable = [...key].length === 1;
        if (!namedKeys.has(input.key) && !printable) throw new AppError("BAD_REQUEST", `Unknown key ${input.key}`);
        if (printable && !/^[\x20-\x7e]$/.test(key) && !input.modifiers?.length) {
          await this.cdp.send("Input.insertText", { text: key });
          return;
        }
        for (const modifier of input.modifiers ?? []) await this.page.keyboard.down(modifier);
        try {
          await this.page.keyboard.press(key as KeyInput);
        } finally {
          for (const modifier of [...(input.modifiers ?? [])].reverse()) await this.page.keyboard.up(modifier).catch(() => undefined);
        }
        return;
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.casting = false;
    await Promise.race([this.context.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
}
