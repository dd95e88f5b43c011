"use client";

// One channel's live chat state: a Socket.IO connection to /chat plus tRPC history pages, merged
// by message id so nothing is shown twice and nothing is missed.
//
// - First connection: join, then load the newest page (or, when the page rendered history on the
//   server, catch up from its newest id). Joining before reading history closes the race: a
//   message stored after the read is broadcast after the join, so it arrives live.
// - Reconnection with Socket.IO connection-state recovery (`socket.recovered`): the server replayed
//   what we missed and kept our rooms; nothing to do.
// - Reconnection without recovery: join again, page forward from the last seen id until caught
//   up, drop what was deleted during the gap, and re-read the channel settings.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ChatError, ChatServerToClientEvents } from "@/server/chat/events";
import { useTRPCClient } from "../../_trpc/client";
import { dropMissing, historyPageSize, maxPreviewMessages, mergeMessages, removeMessage, withPreviews, type ChatMessage } from "./message-list";

export type ChatSettings = { slowModeSeconds: number; chatDisabled: boolean };
export type ConnectionStatus = "connecting" | "connected" | "reconnecting";
export type RestrictionNotice = { key: number; username: string; expiresAt: number | null };
export type SendResult = { ok: true } | { ok: false; error: ChatError };

type ChatSocket = Socket<ChatServerToClientEvents>;
type AckResponse<T> = { data: T } | { error: ChatError };

/** Catch-up pages after a reconnect, and how many before giving up and showing the newest page. */
const catchUpPageSize = 200;
const maxCatchUpPages = 5;
const ackTimeoutMs = 10_000;
const noticeLifetimeMs = 10_000;

async function ask<T>(socket: ChatSocket, event: string, payload: unknown): Promise<AckResponse<T>> {
  try {
    // The event map's optional ack parameter defeats emitWithAck's typing; the ack shape is {data} | {error}.
    return (await (socket as Socket).timeout(ackTimeoutMs).emitWithAck(event, payload)) as AckResponse<T>;
  } catch {
    return { error: { code: "TIMEOUT", message: "No answer from the chat server.", event } };
  }
}

export function useChatChannel(options: {
  channel: string;
  /** Username of the signed-in viewer, to recognise their own restriction notices. */
  username: string | null;
  /** Newest history page rendered on the server (newest first or oldest first, any order). */
  initialMessages?: ChatMessage[];
  initialSettings?: ChatSettings;
}) {
  const { channel, username } = options;
  const trpc = useTRPCClient();

  const [messages, setMessagesState] = useState<ChatMessage[]>(() => mergeMessages([], options.initialMessages ?? []));
  const [hasOlder, setHasOlder] = useState(() => (options.initialMessages?.length ?? 0) >= historyPageSize);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [historyLoaded, setHistoryLoaded] = useState(options.initialMessages !== undefined);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [problem, setProblem] = useState<string | null>(null);
  const [participants, setParticipants] = useState<string[]>([]);
  const [viewers, setViewers] = useState<number | null>(null);
  const [settings, setSettings] = useState<ChatSettings>(options.initialSettings ?? { slowModeSeconds: 0, chatDisabled: false });
  const [notices, setNotices] = useState<RestrictionNotice[]>([]);
  /** The developer's own preview apps' messages here (only they receive them), in arrival order. */
  const [previews, setPreviews] = useState<ChatMessage[]>([]);
  const [ownRestriction, setOwnRestriction] = useState<{ expiresAt: number | null } | null>(null);

  const socketRef = useRef<ChatSocket | null>(null);
  const messagesRef = useRef(messages);
  const deletedRef = useRef(new Set<number>());
  const lastSeenIdRef = useRef(messages.length ? messages[messages.length - 1]!.id : 0);
  const loadedRef = useRef(options.initialMessages !== undefined);
  const settingsKnownRef = useRef(options.initialSettings !== undefined);
  const noticeKeyRef = useRef(0);

  const setMessages = useCallback((update: (current: ChatMessage[]) => ChatMessage[]) => {
    const next = update(messagesRef.current);
    if (next === messagesRef.current) return;
    messagesRef.current = next;
    if (next.length) lastSeenIdRef.current = Math.max(lastSeenIdRef.current, next[next.length - 1]!.id);
    setMessagesState(next);
  }, []);

  const addMessages = useCallback(
    (incoming: ChatMessage[]) => setMessages((current) => mergeMessages(current, incoming, deletedRef.current)),
    [setMessages],
  );

  const deleteLocally = useCallback(
    (id: number) => {
      deletedRef.current.add(id);
      setMessages((current) => removeMessage(current, id));
    },
    [setMessages],
  );

  useEffect(() => {
    const socket: ChatSocket = io("/chat", { transports: ["websocket", "polling"], tryAllTransports: true });
    socketRef.current = socket;
    let disposed = false;

    const history = (input: { limit: number; beforeId?: number; afterId?: number }) => trpc.chat.history.query({ channel, ...input });

    async function catchUp(): Promise<void> {
      const seenBefore = lastSeenIdRef.current;
      let cursor = seenBefore;
      for (let pages = 0; ; pages++) {
        if (pages === maxCatchUpPages) {
          // Too far behind to page through: show the newest page; "load older" reaches the rest.
          const newest = await history({ limit: historyPageSize });
          if (disposed) return;
          setMessages(() => mergeMessages([], newest, deletedRef.current));
          setHasOlder(newest.length >= historyPageSize);
          return;
        }
        const page = await history({ afterId: cursor, limit: catchUpPageSize });
        if (disposed) return;
        addMessages(page);
        if (page.length < catchUpPageSize) break;
        cursor = Math.max(cursor, ...page.map((message) => message.id));
      }
      // Deletions made while we were away never reached us: compare what we show with the server.
      const shown = messagesRef.current.filter((message) => message.id <= seenBefore).length;
      if (shown > 0) {
        const limit = Math.min(shown, catchUpPageSize);
        const current = await history({ beforeId: seenBefore + 1, limit });
        if (disposed) return;
        setMessages((list) => dropMissing(list, current, seenBefore, current.length < limit));
      }
    }

    async function synchronise(refreshSettings: boolean): Promise<void> {
      setProblem(null);
      const joined = await ask<{ participants: string[]; viewers: number }>(socket, "join", { channel });
      if (disposed) return;
      if ("error" in joined) {
        setProblem(`Could not join #${channel}: ${joined.error.message}`);
        return;
      }
      try {
        if (!loadedRef.current) {
          const newest = await history({ limit: historyPageSize });
          if (disposed) return;
          addMessages(newest);
          setHasOlder(newest.length >= historyPageSize);
          loadedRef.current = true;
          setHistoryLoaded(true);
        } else {
          await catchUp();
        }
        if (refreshSettings) {
          const info = await trpc.chat.channel.query({ name: channel });
          if (disposed) return;
          settingsKnownRef.current = true;
          setSettings({ slowModeSeconds: info.slowModeSeconds, chatDisabled: info.chatDisabled });
        }
      } catch {
        if (!disposed) setProblem("Could not load the chat history.");
      }
    }

    let connectedOnce = false;
    socket.on("connect", () => {
      setStatus("connected");
      const reconnected = connectedOnce;
      connectedOnce = true;
      if (socket.recovered) return;
      // Settings rendered with the page are fresh on the first connection; after a gap they may not be.
      void synchronise(reconnected || !settingsKnownRef.current);
    });
    socket.on("disconnect", () => {
      if (!disposed) setStatus("reconnecting");
    });
    socket.on("connect_error", () => {
      if (!disposed) setStatus((current) => (current === "connected" ? "reconnecting" : current));
    });

    socket.on("message", (message) => {
      if (message.type !== "channel" || message.target !== channel) return;
      if (message.preview) setPreviews((current) => [...current.slice(1 - maxPreviewMessages), message]);
      else addMessages([message]);
    });
    socket.on("delete", (payload) => {
      if (payload.channel === channel) deleteLocally(payload.id);
    });
    socket.on("channel", (payload) => {
      if (payload.channel !== channel) return;
      setParticipants(payload.participants);
      setViewers(payload.viewers);
    });
    socket.on("viewers", (payload) => {
      if (payload.channel === channel) setViewers(payload.count);
    });
    socket.on("join", (payload) => {
      if (payload.channel !== channel) return;
      // A guest hears only their own join (as guest_…); the `channel` state that follows it is
      // authoritative, so a guest name added here is replaced straight away.
      setParticipants((current) => (current.includes(payload.username) ? current : [...current, payload.username].sort()));
    });
    socket.on("part", (payload) => {
      if (payload.channel === channel) setParticipants((current) => current.filter((name) => name !== payload.username));
    });
    socket.on("settings", (payload) => {
      if (payload.channel === channel) setSettings({ slowModeSeconds: payload.slowModeSeconds, chatDisabled: payload.chatDisabled });
    });
    socket.on("restricted", (payload) => {
      if (payload.channel !== channel) return;
      if (username && payload.username === username) setOwnRestriction({ expiresAt: payload.expiresAt });
      const key = ++noticeKeyRef.current;
      setNotices((current) => [...current.slice(-2), { key, username: payload.username, expiresAt: payload.expiresAt }]);
      setTimeout(() => {
        if (!disposed) setNotices((current) => current.filter((notice) => notice.key !== key));
      }, noticeLifetimeMs);
    });
    socket.on("error", (error) => {
      // Errors of our own acknowledged requests are handled where they were made.
      if (error.event === "message" || error.event === "join") return;
      if (!disposed) setProblem(error.message);
    });

    return () => {
      disposed = true;
      socket.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [channel, username, trpc, addMessages, deleteLocally, setMessages]);

  // A timeout ends by itself; re-enable the input then.
  useEffect(() => {
    const expiresAt = ownRestriction?.expiresAt;
    if (!expiresAt) return;
    const timer = setTimeout(() => setOwnRestriction(null), Math.max(0, expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [ownRestriction]);

  const loadOlder = useCallback(async (): Promise<string | null> => {
    const oldest = messagesRef.current[0]?.id;
    if (!oldest) return null;
    setLoadingOlder(true);
    try {
      const page = await trpc.chat.history.query({ channel, limit: historyPageSize, beforeId: oldest });
      addMessages(page);
      setHasOlder(page.length >= historyPageSize);
      return null;
    } catch {
      return "Could not load older messages. Try again.";
    } finally {
      setLoadingOlder(false);
    }
  }, [trpc, channel, addMessages]);

  /** Keeps the newest `keep` messages (a long session at the bottom of the chat stays light). */
  const trimOldest = useCallback(
    (keep: number) => {
      if (messagesRef.current.length <= keep) return;
      setMessages((current) => current.slice(-keep));
      setHasOlder(true);
    },
    [setMessages],
  );

  const send = useCallback(
    async (text: string): Promise<SendResult> => {
      const socket = socketRef.current;
      if (!socket?.connected) {
        return { ok: false, error: { code: "OFFLINE", message: "Not connected. Wait for chat to reconnect, then send again." } };
      }
      const response = await ask<ChatMessage>(socket, "message", { type: "channel", target: channel, text });
      if ("error" in response) {
        if (response.error.code === "TIMEOUT") response.error.message = "No answer from the chat server; your message may not have been sent.";
        return { ok: false, error: response.error };
      }
      addMessages([response.data]);
      return { ok: true };
    },
    [channel, addMessages],
  );

  const retry = useCallback(() => {
    const socket = socketRef.current;
    if (!socket) return;
    // Reconnecting runs the whole synchronisation again.
    socket.disconnect().connect();
  }, []);

  const shown = useMemo(() => withPreviews(messages, previews.filter((message) => message.target === channel)), [messages, previews, channel]);

  return {
    messages: shown,
    hasOlder,
    loadingOlder,
    historyLoaded,
    status,
    problem,
    participants,
    viewers,
    settings,
    setSettings,
    notices,
    ownRestriction,
    loadOlder,
    trimOldest,
    send,
    deleteLocally,
    retry,
  };
}
