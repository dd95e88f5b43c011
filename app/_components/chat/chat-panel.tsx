"use client";

// The live chat of one channel. Reusable: it fills the height of its container (give the
// container a height), and needs the tRPC <Providers> above it (see app/chat/layout.tsx).
//
//   <ChatPanel channel="alice" viewer={{ username: "bob", role: "MEMBER" }} canModerate={false} />
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTRPC } from "../../_trpc/client";
import { errorInfo } from "../../_trpc/errors";
import { useHydrated } from "../use-hydrated";
import { MessageBody } from "./message-body";
import type { AppFrameUser } from "../apps/app-frame";
import { cardPageOf, liveCardLimit, type CardPage } from "../apps/card-link";
import { ChatAppCard } from "../apps/chat-card";
import { ChannelApps } from "./channel-apps";
import type { ChatMessage } from "./message-list";
import { mentions } from "./message-text";
import { useChatChannel, type ChatSettings, type SendResult } from "./use-chat-channel";
import styles from "./chat-panel.module.css";

export type ChatViewer = { username: string; role: string };

export type ChatPanelProps = {
  channel: string;
  /** The signed-in user, or null for a guest (guests read only). */
  viewer: ChatViewer | null;
  /** Staff and the channel owner: per-message actions and channel settings. */
  canModerate: boolean;
  /** The newest history page, when the page rendered it on the server. */
  initialMessages?: ChatMessage[];
  initialSettings?: ChatSettings;
  /** The server's message length limit (CHAT_MAX_MESSAGE_LENGTH). */
  maxLength?: number;
  /** Heading level of the channel name: 1 on the standalone chat page, 2 beside a video. */
  headingLevel?: 1 | 2 | 3;
  className?: string;
  /** App pages staff allowed as chat cards: a message linking to one shows it under the text. */
  appCards?: { pages: CardPage[]; user: AppFrameUser };
};

const slowModeChoices = [0, 5, 10, 30, 60];
const timeoutSeconds = 10 * 60;
/** At the bottom of a long session, keep the newest messages only ("load older" brings the rest back). */
const maxShown = 400;
const keepWhenTrimming = 250;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const fullDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const hexColor = /^#[0-9a-f]{6}$/i;

export function ChatPanel(props: ChatPanelProps) {
  // A different channel is a different conversation: start from scratch.
  return <ChatPanelView key={props.channel} {...props} />;
}

function ChatPanelView({ channel, viewer, canModerate, initialMessages, initialSettings, maxLength = 500, headingLevel = 2, className, appCards }: ChatPanelProps) {
  const chat = useChatChannel({ channel, username: viewer?.username ?? null, initialMessages, initialSettings });
  const { messages } = chat;
  const hydrated = useHydrated();
  const viewerName = viewer?.username ?? null;
  const panelId = useId();
  const cards = useMemo(() => {
    const byMessage = new Map<number, { page: CardPage; live: boolean }>();
    if (!appCards?.pages.length || !hydrated) return byMessage;
    for (const message of messages) {
      const page = cardPageOf(message.text, appCards.pages, window.location.host);
      if (page) byMessage.set(message.id, { page, live: false });
    }
    for (const entry of [...byMessage.values()].slice(-liveCardLimit)) entry.live = true;
    return byMessage;
  }, [messages, appCards, hydrated]);

  const [peopleOpen, setPeopleOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);

  // ---- Scrolling: stick to the bottom unless the reader scrolled up; count what they missed. ----
  const logRef = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  const [atBottom, setAtBottom] = useState(true);
  const [readUpToId, setReadUpToId] = useState(0);
  const edgesRef = useRef({ first: messages[0]?.id ?? 0, scrollHeight: 0 });
  const lastId = messages.length ? messages[messages.length - 1]!.id : 0;
  const lastIdRef = useRef(lastId);

  const scrollToBottom = useCallback(() => {
    const log = logRef.current;
    if (!log) return;
    atBottomRef.current = true;
    setAtBottom(true);
    log.scrollTop = log.scrollHeight;
  }, []);

  const onScroll = useCallback(() => {
    const log = logRef.current;
    if (!log) return;
    const bottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    if (bottom === atBottomRef.current) return;
    atBottomRef.current = bottom;
    setAtBottom(bottom);
    if (!bottom) setReadUpToId(lastIdRef.current);
  }, []);

  const { trimOldest } = chat;
  useLayoutEffect(() => {
    const log = logRef.current;
    if (!log) return;
    const first = messages[0]?.id ?? 0;
    const previous = edgesRef.current;
    if (atBottomRef.current) log.scrollTop = log.scrollHeight;
    // Older messages went in above: keep what the reader was looking at in place.
    else if (previous.first && first && first < previous.first) log.scrollTop += log.scrollHeight - previous.scrollHeight;
    edgesRef.current = { first, scrollHeight: log.scrollHeight };
    lastIdRef.current = messages.length ? messages[messages.length - 1]!.id : 0;
    if (atBottomRef.current && messages.length > maxShown) trimOldest(keepWhenTrimming);
  }, [messages, trimOldest]);

  // The log shrinks when a phone's keyboard opens or a panel above it opens: stay at the bottom.
  useEffect(() => {
    const log = logRef.current;
    if (!log || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (atBottomRef.current) log.scrollTop = log.scrollHeight;
      edgesRef.current.scrollHeight = log.scrollHeight;
    });
    observer.observe(log);
    return () => observer.disconnect();
  }, []);

  const unread = atBottom ? 0 : messages.filter((message) => message.id > readUpToId && message.username !== viewerName).length;

  async function loadOlder() {
    setOlderError(null);
    setOlderError(await chat.loadOlder());
  }

  // ---- Moderation ----
  const trpc = useTRPC();
  const { mutateAsync: deleteAsync, isPending: deleting } = useMutation(trpc.chat.deleteMessage.mutationOptions());
  const { mutateAsync: restrictAsync, isPending: restricting } = useMutation(trpc.chat.restrict.mutationOptions());
  const [menuFor, setMenuFor] = useState<number | null>(null);
  const [confirmBan, setConfirmBan] = useState(false);
  const [actionError, setActionError] = useState<{ id: number; message: string } | null>(null);

  const toggleMenu = useCallback((id: number) => {
    setMenuFor((current) => (current === id ? null : id));
    setConfirmBan(false);
    setActionError(null);
  }, []);

  const { deleteLocally } = chat;
  const moderate = useCallback(
    async (message: ChatMessage, action: "delete" | "timeout" | "ban") => {
      setActionError(null);
      try {
        if (action === "delete") {
          await deleteAsync({ id: message.id });
          deleteLocally(message.id);
        } else {
          await restrictAsync({ channel, username: message.username, durationSeconds: action === "timeout" ? timeoutSeconds : undefined });
        }
        setMenuFor(null);
        setConfirmBan(false);
      } catch (failure) {
        setActionError({ id: message.id, message: errorInfo(failure).message });
      }
    },
    [channel, deleteAsync, restrictAsync, deleteLocally],
  );

  useEffect(() => {
    if (menuFor === null) return;
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key === "Escape") setMenuFor(null);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [menuFor]);

  const Heading = `h${headingLevel}` as const;
  const { settings } = chat;
  const restrictedNow = !canModerate && chat.ownRestriction;
  let composerBlocked: string | null = null;
  if (viewer && !canModerate && settings.chatDisabled) composerBlocked = "Chat is disabled in this channel.";
  else if (viewer && restrictedNow) {
    composerBlocked = chat.ownRestriction?.expiresAt
      ? `You are timed out until ${timeFormat.format(new Date(chat.ownRestriction.expiresAt))}.`
      : `You are banned from #${channel}.`;
  }

  return (
    <section className={`${styles.panel} ${className ?? ""}`} aria-labelledby={`${panelId}-title`}>
      <header className={styles.header}>
        <div className={styles.titleRow}>
          <Heading id={`${panelId}-title`} className={styles.title}>
            #{channel}
          </Heading>
          <span className={styles.viewers} title="Connections watching this channel now">
            <span className={styles.liveDot} data-status={chat.status} aria-hidden="true" />
            {chat.viewers === null ? "…" : chat.viewers} watching
          </span>
          <div className={styles.headerButtons}>
            <button
              type="button"
              className={`button button-small ${styles.headerButton}`}
              aria-expanded={peopleOpen}
              aria-controls={`${panelId}-people`}
              onClick={() => setPeopleOpen((open) => !open)}
            >
              People <span className={styles.count}>{chat.participants.length}</span>
            </button>
            {canModerate ? (
              <button
                type="button"
                className={`button button-small ${styles.headerButton}`}
                aria-expanded={settingsOpen}
                aria-controls={`${panelId}-settings`}
                onClick={() => setSettingsOpen((open) => !open)}
              >
                Settings
              </button>
            ) : null}
          </div>
        </div>
        <div className={styles.statusRow} aria-live="polite">
          {chat.status !== "connected" ? (
            <span className={`${styles.pill} ${styles.pillWarn}`}>{chat.status === "connecting" ? "Connecting…" : "Reconnecting…"}</span>
          ) : null}
          {settings.slowModeSeconds > 0 ? <span className={styles.pill}>Slow mode: {settings.slowModeSeconds} s</span> : null}
          {settings.chatDisabled ? <span className={`${styles.pill} ${styles.pillWarn}`}>Chat disabled</span> : null}
        </div>
      </header>

      {peopleOpen ? (
        <div id={`${panelId}-people`} className={styles.drawer}>
          <h3 className={styles.drawerTitle}>In chat ({chat.participants.length})</h3>
          {chat.participants.length ? (
            <ul className={styles.people}>
              {chat.participants.map((name) => (
                <li key={name}>{name}</li>
              ))}
            </ul>
          ) : (
            <p className="muted small">No signed-in chatters right now.</p>
          )}
          {chat.viewers !== null && chat.viewers > chat.participants.length ? (
            <p className="muted small">…and {chat.viewers - chat.participants.length} more watching as guests or in other tabs.</p>
          ) : null}
        </div>
      ) : null}

      {canModerate && settingsOpen ? (
        <ChannelSettings id={`${panelId}-settings`} channel={channel} settings={settings} onSaved={chat.setSettings} />
      ) : null}

      <div className={styles.logWrap}>
        <div ref={logRef} className={styles.log} onScroll={onScroll} tabIndex={0} role="region" aria-label={`Messages in #${channel}`}>
          <div className={styles.older}>
            {chat.hasOlder ? (
              <button type="button" className="button button-small" onClick={loadOlder} disabled={chat.loadingOlder}>
                {chat.loadingOlder ? "Loading…" : "Load older messages"}
              </button>
            ) : chat.historyLoaded && messages.length ? (
              <span className="muted small">This is the start of #{channel}.</span>
            ) : null}
            {olderError ? (
              <p className={styles.inlineError} role="alert">
                {olderError}
              </p>
            ) : null}
          </div>
          {chat.historyLoaded && messages.length === 0 ? <p className={styles.empty}>No messages yet.{viewer ? " Say hello!" : ""}</p> : null}
          {!chat.historyLoaded && !chat.problem ? <p className={styles.empty}>Loading messages…</p> : null}
          <div role="log">
          <ol className={styles.list}>
            {messages.map((message) => (
              <MessageRow
                key={message.id}
                message={message}
                viewerName={viewerName}
                hydrated={hydrated}
                canModerate={canModerate}
                canRestrict={canModerate && !message.appId && message.username !== viewerName && message.username !== channel}
                menuOpen={menuFor === message.id}
                confirmBan={menuFor === message.id && confirmBan}
                busy={menuFor === message.id && (deleting || restricting)}
                error={actionError?.id === message.id ? actionError.message : null}
                onToggleMenu={toggleMenu}
                onModerate={moderate}
                onConfirmBan={setConfirmBan}
                card={cards.get(message.id) ?? null}
                cardUser={appCards?.user ?? null}
                channel={channel}
              />
            ))}
          </ol>
          </div>
        </div>
        {unread > 0 ? (
          <button type="button" className={styles.newMarker} onClick={scrollToBottom}>
            {unread === 1 ? "1 new message" : `${unread} new messages`} ↓
          </button>
        ) : null}
      </div>

      {chat.problem ? (
        <div className={`alert alert-error ${styles.problem}`} role="alert">
          <span>{chat.problem}</span>
          <button type="button" className="button button-small" onClick={chat.retry}>
            Retry
          </button>
        </div>
      ) : null}

      {chat.notices.length ? (
        <ul className={styles.notices} aria-live="polite">
          {chat.notices.map((notice) => (
            <li key={notice.key}>
              {notice.username === viewerName ? "You were" : `${notice.username} was`}{" "}
              {notice.expiresAt ? `timed out until ${timeFormat.format(new Date(notice.expiresAt))}` : "banned from this channel"}.
            </li>
          ))}
        </ul>
      ) : null}

      <Composer channel={channel} viewer={viewer} maxLength={maxLength} blocked={composerBlocked} send={chat.send} onSent={scrollToBottom} />
    </section>
  );
}

type MessageRowProps = {
  message: ChatMessage;
  viewerName: string | null;
  hydrated: boolean;
  canModerate: boolean;
  canRestrict: boolean;
  menuOpen: boolean;
  confirmBan: boolean;
  busy: boolean;
  error: string | null;
  onToggleMenu: (id: number) => void;
  onModerate: (message: ChatMessage, action: "delete" | "timeout" | "ban") => void;
  onConfirmBan: (value: boolean) => void;
  card: { page: CardPage; live: boolean } | null;
  cardUser: AppFrameUser;
  channel: string;
};

const MessageRow = memo(function MessageRow({ message, viewerName, hydrated, canModerate, canRestrict, menuOpen, confirmBan, busy, error, onToggleMenu, onModerate, onConfirmBan, card, cardUser, channel }: MessageRowProps) {
  const date = new Date(message.datetime);
  const mentionsViewer = !!viewerName && message.username !== viewerName && mentions(message.text, viewerName);
  const color = hexColor.test(message.color) ? message.color : undefined;
  const actionsId = `chat-actions-${message.id}`;
  return (
    <li
      className={`${styles.row}${message.system ? ` ${styles.systemRow}` : ""}${message.preview ? ` ${styles.previewRow}` : ""}`}
      data-mentions-me={mentionsViewer || undefined}
      data-message-id={message.id}
      data-app={message.appId}
      data-preview={message.preview || undefined}
    >
      <div className={styles.line}>
        <time className={styles.time} dateTime={date.toISOString()} title={hydrated ? fullDateFormat.format(date) : undefined}>
          {hydrated ? timeFormat.format(date) : ""}
        </time>{" "}
        <span
          className={styles.author}
          style={color ? ({ "--author-color": color } as React.CSSProperties) : undefined}
          title={message.displayName !== message.username ? `@${message.username}` : undefined}
        >
          {message.displayName}
        </span>
        {/* Set by the server from the message's app, never from a name a user could choose. */}
        {message.app ? (
          <span className={styles.appBadge} title={`Sent by the app ${message.app.id}`}>
            app
          </span>
        ) : null}
        {message.system && message.appId ? (
          <span className={styles.appBadge} title={`Posted by the app ${message.appId}`}>
            {message.appId}
          </span>
        ) : null}
        {message.preview ? <span className={styles.previewBadge}>preview — only you see this</span> : null}
        <span className={styles.colon}>: </span>
        <MessageBody text={message.text} viewerUsername={viewerName} />
      </div>
      {card ? <ChatAppCard page={card.page} user={cardUser} channel={channel} live={card.live} /> : null}
      {canModerate && !message.preview ? (
        <button
          type="button"
          className={styles.menuButton}
          aria-label={`Moderate message from ${message.username}`}
          aria-expanded={menuOpen}
          aria-controls={menuOpen ? actionsId : undefined}
          onClick={() => onToggleMenu(message.id)}
        >
          <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
            <circle cx="5" cy="12" r="2" />
            <circle cx="12" cy="12" r="2" />
            <circle cx="19" cy="12" r="2" />
          </svg>
        </button>
      ) : null}
      {menuOpen ? (
        <div id={actionsId} className={styles.actions} role="group" aria-label={`Actions for the message from ${message.username}`}>
          {confirmBan ? (
            <>
              <span className={styles.confirmText}>Ban {message.username} from this channel?</span>
              <button type="button" className="button button-small button-danger" disabled={busy} onClick={() => onModerate(message, "ban")}>
                Yes, ban
              </button>
              <button type="button" className="button button-small" onClick={() => onConfirmBan(false)}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" className="button button-small" disabled={busy} onClick={() => onModerate(message, "delete")}>
                Delete
              </button>
              {canRestrict ? (
                <>
                  <button type="button" className="button button-small" disabled={busy} onClick={() => onModerate(message, "timeout")}>
                    Time out 10 min
                  </button>
                  <button type="button" className="button button-small" disabled={busy} onClick={() => onConfirmBan(true)}>
                    Ban
                  </button>
                </>
              ) : null}
            </>
          )}
          {error ? (
            <p className={styles.inlineError} role="alert">
              {error}
            </p>
          ) : null}
        </div>
      ) : null}
    </li>
  );
});

function Composer({
  channel,
  viewer,
  maxLength,
  blocked,
  send,
  onSent,
}: {
  channel: string;
  viewer: ChatViewer | null;
  maxLength: number;
  blocked: string | null;
  send: (text: string) => Promise<SendResult>;
  onSent: () => void;
}) {
  const pathname = usePathname();
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<{ message: string; retryAt?: number } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();
  const length = text.trim().length;
  const over = length > maxLength;

  // Counts down a rate-limit or slow-mode wait.
  const retryAt = error?.retryAt;
  useEffect(() => {
    if (!retryAt) return;
    const timer = setInterval(() => {
      const time = Date.now();
      setNow(time);
      if (time >= retryAt) setError((current) => (current?.retryAt === retryAt ? null : current));
    }, 500);
    return () => clearInterval(timer);
  }, [retryAt]);

  // Grows with the text up to a few lines.
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight + 2, 160)}px`;
  }, [text]);

  if (!viewer) {
    return (
      <div className={styles.composer}>
        <div className={styles.composerRow}>
          <label htmlFor={inputId} className="visually-hidden">
            Message #{channel}
          </label>
          <textarea id={inputId} className={`input ${styles.input}`} rows={1} disabled placeholder="Sign in to chat" />
          <Link href={`/signin?callbackUrl=${encodeURIComponent(pathname || `/chat/${channel}`)}`} className={`button button-primary ${styles.send}`}>
            Sign in to chat
          </Link>
        </div>
      </div>
    );
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (sending || blocked) return;
    const value = text.trim();
    if (!value) return;
    if (value.length > maxLength) {
      setError({ message: `Messages can be at most ${maxLength} characters.` });
      return;
    }
    setSending(true);
    setError(null);
    const result = await send(value);
    setSending(false);
    if (result.ok) {
      setText("");
      onSent();
    } else {
      const retry = result.error.retryAfterMs;
      setNow(Date.now());
      setError({ message: result.error.message, retryAt: retry ? Date.now() + retry : undefined });
    }
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void submit();
  }

  const waitSeconds = error?.retryAt ? Math.max(0, Math.ceil((error.retryAt - now) / 1000)) : 0;
  const showCounter = length > maxLength - 100;

  return (
    <form className={styles.composer} onSubmit={submit} noValidate>
      {blocked ? <p className={styles.blocked}>{blocked}</p> : null}
      <div className={styles.composerRow}>
        <label htmlFor={inputId} className="visually-hidden">
          Message #{channel}
        </label>
        <textarea
          ref={inputRef}
          id={inputId}
          className={`input ${styles.input}`}
          rows={1}
          value={text}
          placeholder={blocked ? "You can't send messages right now" : `Message #${channel}`}
          disabled={!!blocked}
          aria-invalid={over || undefined}
          aria-describedby={`${inputId}-status`}
          autoComplete="off"
          enterKeyHint="send"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className={`button button-primary ${styles.send}`} disabled={!!blocked || sending || length === 0}>
          Send
        </button>
      </div>
      <div id={`${inputId}-status`} className={styles.composerStatus}>
        {error ? (
          <p className={styles.inlineError} role="alert">
            {error.message}
            {waitSeconds > 0 ? ` You can send again in ${waitSeconds} s.` : ""}
          </p>
        ) : (
          <span />
        )}
        {showCounter ? (
          <span className={styles.counter} data-over={over || undefined} aria-live="polite">
            {length}/{maxLength}
          </span>
        ) : null}
      </div>
    </form>
  );
}

function ChannelSettings({ id, channel, settings, onSaved }: { id: string; channel: string; settings: ChatSettings; onSaved: (settings: ChatSettings) => void }) {
  const trpc = useTRPC();
  const update = useMutation(trpc.chat.updateSettings.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  // The change being saved shows at once; it reverts if saving fails.
  const [draft, setDraft] = useState<Partial<ChatSettings>>({});
  const shown = { ...settings, ...draft };
  const selectId = useId();
  const choices = slowModeChoices.includes(shown.slowModeSeconds) ? slowModeChoices : [...slowModeChoices, shown.slowModeSeconds].sort((a, b) => a - b);

  async function save(change: Partial<ChatSettings>) {
    setError(null);
    setDraft(change);
    try {
      const saved = await update.mutateAsync({ channel, ...change });
      onSaved({ slowModeSeconds: saved.slowModeSeconds, chatDisabled: saved.chatDisabled });
    } catch (failure) {
      setError(errorInfo(failure).message);
    } finally {
      setDraft({});
    }
  }

  return (
    <div id={id} className={styles.drawer}>
      <h3 className={styles.drawerTitle}>Channel settings</h3>
      <div className={styles.settings}>
        <label htmlFor={selectId} className={styles.settingLabel}>
          Slow mode
        </label>
        <select
          id={selectId}
          className="select"
          value={shown.slowModeSeconds}
          disabled={update.isPending}
          onChange={(event) => void save({ slowModeSeconds: Number(event.target.value) })}
        >
          {choices.map((seconds) => (
            <option key={seconds} value={seconds}>
              {seconds === 0 ? "Off" : `${seconds} s`}
            </option>
          ))}
        </select>
        <label className={styles.toggle}>
          <input type="checkbox" checked={shown.chatDisabled} disabled={update.isPending} onChange={(event) => void save({ chatDisabled: event.target.checked })} />
          Disable chat
        </label>
      </div>
      <p className="muted small">You and staff can still send messages while slow mode is on or chat is disabled.</p>
      {error ? (
        <p className={styles.inlineError} role="alert">
          {error}
        </p>
      ) : null}
      <ChannelApps channel={channel} />
    </div>
  );
}
