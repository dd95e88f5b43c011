// The /chat namespace: Ting's real-time protocol. Every payload is validated; every failure is
// answered with an `error` event (and the ack, when one was given) and changes nothing.
import crypto from "node:crypto";
import type { Server, Socket } from "socket.io";
import type { z } from "zod";
import type { PrismaClient } from "../db/generated/client";
import { AppError, describeIssues, socketErrorOf } from "../errors";
import type { Logger } from "../logger";
import { createChatBroadcaster, type ChatBroadcaster, type ChatNamespace } from "./broadcaster";
import { channelRoom, chatEventSchemas, userRoom, type ChatClientToServerEvents, type ChatError, type ChatInterServerEvents, type ChatServerToClientEvents, type ChatSocketData } from "./events";
import type { ChatLookups } from "./chat-lookups";
import type { PresenceStore } from "./presence";
import type { RateLimiter } from "./rate-limiter";
import { sendMessage, type ChatLimits } from "./send-message";
import { usernameSchema } from "../accounts/schemas";
import { takeAck } from "../sockets/take-ack";

type ChatSocket = Socket<ChatClientToServerEvents, ChatServerToClientEvents, ChatInterServerEvents, ChatSocketData>;

/** Channels one connection may be in at once, so a client cannot grow server state without bound. */
const maxChannelsPerConnection = 50;

export function createChatNamespace(
  io: Server,
  deps: { prisma: PrismaClient; lookups: ChatLookups; presence: PresenceStore; rateLimiter: RateLimiter; limits: ChatLimits; logger: Logger },
): { namespace: ChatNamespace; broadcaster: ChatBroadcaster } {
  const namespace: ChatNamespace = io.of("/chat");
  const broadcaster = createChatBroadcaster(namespace);
  const viewerTimers = new Map<string, NodeJS.Timeout>();

  /** Viewer counts change with every join; announcing them at most every 500 ms keeps storms cheap. */
  function announceViewers(channel: string): void {
    if (viewerTimers.has(channel)) return;
    viewerTimers.set(
      channel,
      setTimeout(() => {
        viewerTimers.delete(channel);
        deps.presence
          .viewerCount(channel)
          .then((count) => namespace.to(channelRoom(channel)).emit("viewers", { channel, count }))
          .catch((error: unknown) => deps.logger.warn("viewer count failed", { channel, error: String(error) }));
      }, 500),
    );
  }

  const displayName = (socket: ChatSocket) => socket.data.caller?.username ?? socket.data.guestName;

  async function enter(socket: ChatSocket, channel: string): Promise<void> {
    void socket.join(channelRoom(channel));
    if (!socket.data.channels.includes(channel)) socket.data.channels.push(channel);
    const firstOfUser = await deps.presence.add(channel, socket.id, socket.data.caller?.username ?? null);
    const joined = { username: displayName(socket), channel };
    // Signed-in users are announced to the room; guests only hear their own join back.
    if (firstOfUser) namespace.to(channelRoom(channel)).emit("join", joined);
    else socket.emit("join", joined);
    announceViewers(channel);
  }

  async function leave(socket: ChatSocket, channel: string): Promise<void> {
    void socket.leave(channelRoom(channel));
    socket.data.channels = socket.data.channels.filter((name) => name !== channel);
    const removed = await deps.presence.remove(channel, socket.id);
    const parted = { username: displayName(socket), channel };
    socket.emit("part", parted);
    if (removed?.lastOfUser) namespace.to(channelRoom(channel)).emit("part", parted);
    announceViewers(channel);
  }

  /** Runs one event handler: parses the payload, answers errors on the socket and the ack. */
  function on<E extends keyof ChatClientToServerEvents, R>(socket: ChatSocket, event: E, handler: (payload: z.output<(typeof chatEventSchemas)[E]>) => Promise<R> | R) {
    socket.on(event as keyof ChatClientToServerEvents, async (...args: unknown[]) => {
      const ack = takeAck(args);
      try {
        const parsed = chatEventSchemas[event].safeParse(args[0]);
        if (!parsed.success) throw new AppError("BAD_REQUEST", `Invalid ${event}: ${describeIssues(parsed.error.issues)}`);
        const data = await handler(parsed.data as z.output<(typeof chatEventSchemas)[E]>);
        ack?.({ data });
      } catch (error) {
        const described: ChatError = { ...socketErrorOf(error), event };
        const retryAfterMs = (error as AppError).details?.retryAfterMs;
        if (typeof retryAfterMs === "number") described.retryAfterMs = retryAfterMs;
        if (described.code === "INTERNAL") deps.logger.error("chat handler failed", { event, error: String(error) });
        socket.emit("error", described);
        ack?.({ error: described });
      }
    });
  }

  namespace.on("connection", (socket: ChatSocket) => {
    const caller = socket.data.caller;
    if (!socket.recovered) {
      socket.data.guestName = `guest_${crypto.randomBytes(3).toString("hex")}`;
      socket.data.channels = [];
    }
    if (caller) void socket.join(userRoom(caller.username));
    // A recovered connection (short gap) kept its rooms; presence forgot it on disconnect.
    for (const channel of socket.data.channels) {
      enter(socket, channel).catch((error: unknown) => deps.logger.warn("presence update failed", { channel, error: String(error) }));
    }

    on(socket, "login", ({ username }) => {
      // Signed-in users chat under their account name whatever they say; guests pick a name to be
      // shown back to them, and stay read-only.
      if (caller) return { username: caller.username, guest: false };
      const parsed = usernameSchema.safeParse(username);
      if (!parsed.success) {
        // Ting closes the connection on an invalid username; tell the client why first.
        setTimeout(() => socket.disconnect(true), 50);
        throw new AppError("BAD_REQUEST", `Invalid username: ${describeIssues(parsed.error.issues)}`);
      }
      socket.data.guestName = `guest_${parsed.data}`;
      return { username: socket.data.guestName, guest: true };
    });

    on(socket, "join", async ({ channel: name }) => {
      const channel = await deps.lookups.channel(name);
      if (!channel) throw new AppError("NOT_FOUND", `No channel #${name}`);
      if (!socket.data.channels.includes(name)) {
        if (socket.data.channels.length >= maxChannelsPerConnection) throw new AppError("BAD_REQUEST", `At most ${maxChannelsPerConnection} channels per connection`);
        await enter(socket, name);
      }
      const [participants, viewers] = await Promise.all([deps.presence.participants(name), deps.presence.viewerCount(name)]);
      const state = { channel: name, participants, viewers };
      socket.emit("channel", state);
      return state;
    });

    on(socket, "part", async ({ channel }) => {
      if (!socket.data.channels.includes(channel)) throw new AppError("BAD_REQUEST", `You are not in #${channel}`);
      await leave(socket, channel);
      return { channel };
    });

    on(socket, "message", async (message) => {
      const view = await sendMessage({
        prisma: deps.prisma,
        lookups: deps.lookups,
        rateLimiter: deps.rateLimiter,
        limits: deps.limits,
        caller,
        message,
        joinedChannel: socket.data.channels.includes(message.target),
      });
      broadcaster.message(view);
      return view;
    });

    socket.on("disconnect", () => {
      // Ting: a dropped connection parts every channel it was in.
      for (const channel of socket.data.channels) {
        deps.presence
          .remove(channel, socket.id)
          .then((removed) => {
            if (removed?.lastOfUser) namespace.to(channelRoom(channel)).emit("part", { username: removed.username!, channel });
            announceViewers(channel);
          })
          .catch((error: unknown) => deps.logger.warn("presence update failed", { channel, error: String(error) }));
      }
    });
  });

  return { namespace, broadcaster };
}
