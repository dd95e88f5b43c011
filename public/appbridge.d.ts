// Types of Canopy's appbridge (/appbridge.js), the global an app's page uses to talk to the platform.

/** Why a bridge call failed. TIMEOUT: no answer in time; FORBIDDEN: the caller's level is too low
 * (or the origin is wrong); NOT_FOUND: no such method or page; APP_ERROR: the method threw (message
 * is the app's); UNAVAILABLE: the app is not running; BAD_REQUEST: invalid arguments; NO_HOST: the
 * page is not embedded by Canopy. */
type AppBridgeErrorCode = "TIMEOUT" | "FORBIDDEN" | "NOT_FOUND" | "APP_ERROR" | "UNAVAILABLE" | "BAD_REQUEST" | "UNAUTHORIZED" | "NO_HOST" | "NOT_READY" | "INTERNAL";

declare class AppBridgeError extends Error {
  readonly code: AppBridgeErrorCode;
}

/** The signed-in user's public info (null for guests). */
interface AppBridgeUser {
  id: string;
  username: string;
  displayName: string;
  role: "MEMBER" | "DEVELOPER" | "STAFF";
}

/** What rpc methods registered with this level accept: guest < user < staff. */
type AppBridgePermissionLevel = "guest" | "user" | "staff";

/** Where the page is shown. */
type AppBridgePlacement = "page" | "channel-tab" | "nav" | "chat-card";

interface AppBridgeContext {
  appId: string;
  pageId: string;
  /** "preview" while the developer previews the draft. */
  target: "live" | "preview";
  placement: AppBridgePlacement;
  /** The channel whose tab or chat shows the page, when it is one. */
  channel: string | null;
  user: AppBridgeUser | null;
  permissionLevel: AppBridgePermissionLevel;
  theme: "light" | "dark";
  platformOrigin: string;
  /** Prefix of the app's public files; see resolveFileURL. */
  filesBaseUrl: string;
}

interface AppBridgeEventMap {
  /** The page's link to the app's events is up (again): refresh state you show. */
  connected: undefined;
  disconnected: undefined;
  themechange: "light" | "dark";
  /** Any event the app's server script emits (canopy.rpc.emit / emitToPage / emitToUser). */
  [event: string]: unknown;
}

interface AppBridge {
  readonly AppBridgeError: typeof AppBridgeError;
  /** Resolves once the platform answered the handshake. */
  readonly ready: Promise<AppBridgeContext>;
  /** Calls a method registered with canopy.rpc.register; rejects with AppBridgeError. Default timeout 10 s. */
  call<T = unknown>(method: string, args?: unknown[], options?: { timeoutMs?: number }): Promise<T>;
  /** JAF's form of call: serverMethod("vote", "a"). */
  serverMethod<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  addEventListener<K extends keyof AppBridgeEventMap>(event: K, listener: (payload: AppBridgeEventMap[K]) => void): void;
  removeEventListener<K extends keyof AppBridgeEventMap>(event: K, listener: (payload: AppBridgeEventMap[K]) => void): void;
  getUser(): Promise<AppBridgeUser | null>;
  getPermissionLevel(): Promise<AppBridgePermissionLevel>;
  getTheme(): Promise<"light" | "dark">;
  getContext(): Promise<AppBridgeContext>;
  /** Opens a platform path ("/c/alice"); anything but a path on the platform is refused (BAD_REQUEST). */
  navigate(path: string): Promise<void>;
  /** Opens /a/<appId>/<pageId> (this app by default). */
  navigateToPage(pageId: string, appId?: string): Promise<void>;
  /** The URL of one of the app's public files ("pages/logo.png"). Call after `ready`. */
  resolveFileURL(path: string): string;
  /** Dialogs drawn by the platform (the frame's own alert() is blocked in some placements). */
  alert(message: string, title?: string): Promise<void>;
  confirm(message: string, title?: string): Promise<boolean>;
  /** Resolves with the text entered, or null when cancelled. */
  prompt(message: string, defaultValue?: string, title?: string): Promise<string | null>;
  /** Sets the title shown above the page. */
  setTitle(title: string): void;
}

declare const appbridge: AppBridge;

interface Window {
  readonly appbridge: AppBridge;
}
