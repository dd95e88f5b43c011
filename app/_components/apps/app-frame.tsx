"use client";

// The host of one app page: a sandboxed iframe (opaque origin: no cookies, storage or DOM of
// ours) and the relay between its appbridge and the platform. Every message is checked to come
// from this frame (source is our iframe's window, origin "null"); the app id and page id sent to
// the server are ours, never the frame's, so a page can only reach its own app. Navigation is
// allowed to platform paths only; dialogs are drawn here.
//
//   <AppFrame appId="poll" pageId="vote" file="pages/vote.html" title="Poll" user={user} placement="page" />
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { useHydrated } from "../use-hydrated";
import styles from "./app-frame.module.css";

export type AppFrameUser = { id: string; username: string; displayName: string; role: "MEMBER" | "DEVELOPER" | "STAFF" } | null;
export type AppFrameProps = {
  appId: string;
  /** The reviewed name (manifest or app record), never a name the page chose. */
  appName: string;
  pageId: string;
  /** The HTML file among the app's public files. */
  file: string;
  title: string;
  user: AppFrameUser;
  placement: "page" | "channel-tab" | "nav" | "chat-card";
  channel?: string | null;
  target?: "live" | "preview";
  /** Height before the page reports its own (and the most it may take, for cards). */
  minHeight?: number;
  maxHeight?: number;
  /** Shows the title as a heading above the frame. */
  showTitle?: boolean;
  headingLevel?: 1 | 2 | 3;
};

type BridgeMessage = { canopyBridge: 1; type: string; id?: number; [field: string]: unknown };
type Dialog = { id: number; kind: "alert" | "confirm" | "prompt"; message: string; title?: string; defaultValue: string };
type Ack<T> = { data: T } | { error: { code: string; message: string } };

const sandbox = "allow-scripts allow-forms allow-popups allow-modals";

function currentTheme(): "light" | "dark" {
  const explicit = document.documentElement.getAttribute("data-theme");
  if (explicit === "light" || explicit === "dark") return explicit;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** A path on this platform ("/c/alice"): no scheme, no host, no "//" or "\" tricks. */
function platformPath(value: unknown): string | null {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return null;
  try {
    const url = new URL(value, window.location.origin);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : null;
  } catch {
    return null;
  }
}

export function AppFrame({ appId, appName, pageId, file, title: initialTitle, user, placement, channel = null, target = "live", minHeight = 240, maxHeight = 4000, showTitle = false, headingLevel = 1 }: AppFrameProps) {
  const router = useRouter();
  const frameRef = useRef<HTMLIFrameElement>(null);
  const socketRef = useRef<Socket | null>(null);
  /** Whether the socket has joined the page; calls made before that wait for it. */
  const joinedRef = useRef(false);
  const joinWaiters = useRef(new Set<() => void>());
  const mounted = useHydrated();
  const [height, setHeight] = useState(minHeight);
  const [title, setTitle] = useState(initialTitle);
  const [status, setStatus] = useState<"connecting" | "connected" | "disconnected" | "error">("connecting");
  const [problem, setProblem] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const dialogQueue = useRef<Dialog[]>([]);
  const [promptValue, setPromptValue] = useState("");

  const filesBaseUrl = `${target === "preview" ? `/apps/${appId}/preview/files/` : `/apps/${appId}/files/`}`;
  const pageRef = { appId, pageId, target };

  const toFrame = useCallback((message: Record<string, unknown>) => {
    // The frame's origin is opaque ("null"), which postMessage cannot name: "*" it is, to this
    // frame's window only; nothing sent here is secret (the user's public info, app events).
    frameRef.current?.contentWindow?.postMessage({ canopyBridge: 1, ...message }, "*");
  }, []);

  const context = useCallback(
    () => ({
      appId,
      pageId,
      target,
      placement,
      channel,
      user,
      permissionLevel: !user ? "guest" : user.role === "STAFF" ? "staff" : "user",
      theme: currentTheme(),
      platformOrigin: window.location.origin,
      filesBaseUrl: new URL(filesBaseUrl, window.location.origin).href,
    }),
    [appId, pageId, target, placement, channel, user, filesBaseUrl],
  );

  // The link to the app: join the page, pass its events on to the frame.
  useEffect(() => {
    const socket = io("/apps", { transports: ["websocket", "polling"] });
    socketRef.current = socket;
    const join = async () => {
      const reply = (await socket.timeout(10_000).emitWithAck("page:join", { appId, pageId, target }).catch(() => null)) as Ack<unknown> | null;
      if (reply && "data" in reply) {
        joinedRef.current = true;
        for (const wake of joinWaiters.current) wake();
        joinWaiters.current.clear();
        setStatus("connected");
        setProblem(null);
        toFrame({ type: "connection", connected: true });
      } else {
        setStatus("error");
        setProblem(reply && "error" in reply ? reply.error.message : "The app did not answer");
      }
    };
    socket.on("connect", () => void join());
    socket.on("disconnect", () => {
      joinedRef.current = false;
      setStatus("disconnected");
      toFrame({ type: "connection", connected: false });
    });
    socket.on("rpc:event", (message: { appId: string; target?: string; event: string; payload: unknown }) => {
      if (message.appId !== appId || (message.target ?? "live") !== target) return;
      toFrame({ type: "event", event: message.event, payload: message.payload });
    });
    socket.on("page:user", (message: { appId: string; target: string; pageId: string; user: unknown; connected: boolean; users: number }) => {
      if (message.appId !== appId || message.target !== target) return;
      toFrame({ type: "event", event: message.connected ? "userconnected" : "userdisconnected", payload: { pageId: message.pageId, user: message.user, users: message.users } });
    });
    return () => {
      socket.disconnect();
      socketRef.current = null;
      joinedRef.current = false;
    };
  }, [appId, pageId, target, toFrame]);

  // Theme changes follow into the frame.
  useEffect(() => {
    const send = () => toFrame({ type: "context", context: context() });
    const observer = new MutationObserver(send);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    media.addEventListener("change", send);
    return () => {
      observer.disconnect();
      media.removeEventListener("change", send);
    };
  }, [context, toFrame]);

  const showDialog = useCallback((next: Dialog) => {
    setDialog((current) => {
      if (current) {
        dialogQueue.current.push(next);
        return current;
      }
      setPromptValue(next.defaultValue);
      return next;
    });
  }, []);

  const closeDialog = (result: unknown) => {
    if (!dialog) return;
    toFrame({ type: "reply", id: dialog.id, result });
    const next = dialogQueue.current.shift() ?? null;
    if (next) setPromptValue(next.defaultValue);
    setDialog(next);
  };

  useEffect(() => {
    const reply = (id: unknown, outcome: { result?: unknown; error?: { code: string; message: string } }) => {
      if (typeof id === "number") toFrame({ type: "reply", id, ...outcome });
    };
    const onMessage = (event: MessageEvent) => {
      // Only our own frame, and only while it shows the sandboxed app (opaque origin).
      if (!frameRef.current || event.source !== frameRef.current.contentWindow || event.origin !== "null") return;
      const message = event.data as BridgeMessage;
      if (!message || message.canopyBridge !== 1 || typeof message.type !== "string") return;
      switch (message.type) {
        case "hello":
          toFrame({ type: "context", context: context() });
          if (joinedRef.current) toFrame({ type: "connection", connected: true });
          return;
        case "resize":
          if (typeof message.height === "number" && Number.isFinite(message.height)) setHeight(Math.min(maxHeight, Math.max(minHeight, Math.ceil(message.height))));
          return;
        case "title":
          if (typeof message.title === "string" && message.title.trim()) setTitle(message.title.trim().slice(0, 80));
          return;
        case "navigate": {
          const path = platformPath(message.path);
          if (!path) return reply(message.id, { error: { code: "BAD_REQUEST", message: "Only paths on this platform can be opened (\"/c/alice\")" } });
          router.push(path);
          return reply(message.id, { result: null });
        }
        case "dialog": {
          const kind = message.kind;
          if ((kind !== "alert" && kind !== "confirm" && kind !== "prompt") || typeof message.id !== "number") return;
          showDialog({
            id: message.id,
            kind,
            message: String(message.message ?? "").slice(0, 2000),
            title: typeof message.title === "string" ? message.title.slice(0, 80) : undefined,
            defaultValue: String(message.defaultValue ?? "").slice(0, 2000),
          });
          return;
        }
        case "rpc": {
          const timeoutMs = typeof message.timeoutMs === "number" ? message.timeoutMs : 10_000;
          const send = () =>
            socketRef.current
              ?.timeout(timeoutMs + 500)
              .emitWithAck("rpc:call", { ...pageRef, method: message.method, args: message.args, timeoutMs })
              .then((response: Ack<{ result: unknown }>) => reply(message.id, "data" in response ? { result: response.data.result } : { error: response.error }))
              .catch(() => reply(message.id, { error: { code: "TIMEOUT", message: `${String(message.method)} got no answer within ${timeoutMs} ms` } }));
          if (joinedRef.current) return void send();
          // Not joined yet (the page is quicker than the socket, or a reconnect is under way): wait, within the call's time.
          const timer = setTimeout(() => {
            joinWaiters.current.delete(wake);
            reply(message.id, { error: { code: "UNAVAILABLE", message: "Not connected to the app" } });
          }, timeoutMs);
          const wake = () => {
            clearTimeout(timer);
            void send();
          };
          joinWaiters.current.add(wake);
          return;
        }
      }
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
    // pageRef is rebuilt every render from appId/pageId/target, which are listed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [appId, pageId, target, context, maxHeight, minHeight, router, showDialog, toFrame]);

  const Heading = `h${headingLevel}` as const;
  return (
    <section className={styles.host} aria-label={title} data-app-frame={`${appId}/${pageId}`}>
      {showTitle ? <Heading className={styles.title}>{title}</Heading> : null}
      {status === "error" || status === "disconnected" ? (
        <p className={styles.status} role="status">
          {status === "error" ? `This app page is unavailable: ${problem}` : "Reconnecting to the app…"}
        </p>
      ) : null}
      {mounted ? (
        <iframe
          ref={frameRef}
          className={styles.frame}
          src={`${filesBaseUrl}${file}`}
          title={title}
          sandbox={sandbox}
          referrerPolicy="no-referrer"
          allow=""
          style={{ height }}
        />
      ) : (
        <div className={styles.placeholder} style={{ height }} aria-busy="true" />
      )}
      {dialog ? (
        <div className={styles.backdrop}>
          <form
            role="dialog"
            aria-modal="true"
            aria-labelledby={`app-dialog-${dialog.id}`}
            className={styles.dialog}
            onSubmit={(event) => {
              event.preventDefault();
              closeDialog(dialog.kind === "prompt" ? promptValue : dialog.kind === "confirm" ? true : null);
            }}
          >
            {/* Drawn by the platform from the reviewed app name: the page chooses only the quoted text, so a dialog never passes for Canopy's own. */}
            <header className={styles.dialogOrigin}>
              <AppMonogram appId={appId} appName={appName} />
              <div>
                <h2 id={`app-dialog-${dialog.id}`} className={styles.dialogAppName}>
                  {appName}
                </h2>
                <p className={styles.dialogNotice}>An app on Canopy says this, not Canopy. Never enter your Canopy password in an app.</p>
              </div>
            </header>
            <div className={styles.dialogBody}>
              {dialog.title ? <p className={styles.dialogTitle}>{dialog.title}</p> : null}
              <p className={styles.dialogMessage}>{dialog.message}</p>
            </div>
            {dialog.kind === "prompt" ? <input className="input" value={promptValue} onChange={(event) => setPromptValue(event.target.value)} autoFocus aria-label={dialog.message} /> : null}
            <div className={styles.dialogActions}>
              {dialog.kind !== "alert" ? (
                <button type="button" className="button" onClick={() => closeDialog(dialog.kind === "confirm" ? false : null)}>
                  Cancel
                </button>
              ) : null}
              <button type="submit" className="button button-primary" autoFocus={dialog.kind !== "prompt"}>
                OK
              </button>
            </div>
          </form>
        </div>
      ) : null}
    </section>
  );
}

/** The app's mark: its name's first letter on a colour derived from its id, the same everywhere. */
function AppMonogram({ appId, appName }: { appId: string; appName: string }) {
  let hash = 0;
  for (const char of appId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (
    <span className={styles.monogram} style={{ backgroundColor: `hsl(${hash % 360} 55% 38%)` }} aria-hidden="true">
      {(appName.trim()[0] ?? appId[0] ?? "?").toUpperCase()}
    </span>
  );
}
