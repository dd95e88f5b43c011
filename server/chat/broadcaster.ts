// Sends chat events to the right rooms. Used by the socket handlers and by tRPC/REST routes
// (moderation, privileged posts), so every path announces changes the same way.
import type { Namespace } from "socket.io";
import { channelRoom, userRoom, type ChatClientToServerEvents, type ChatInterServerEvents, type ChatServerToClientEvents, type ChatSocketData } from "./events";
import type { ChatMessageView } from "./schemas";

export type ChatNamespace = Namespace<ChatClientToServerEvents, ChatServerToClientEvents, ChatInterServerEvents, ChatSocketData>;
export type ChatBroadcaster = ReturnType<typeof createChatBroadcaster>;

/** Server-side observers of channel messages and deletions (apps listening to chat). */
export type ChatObserver = { message?(view: ChatMessageView): void; deleted?(payload: { id: number; channel: string }): void };

export function createChatBroadcaster(namespace: ChatNamespace) {
  const observers = new Set<ChatObserver>();
  return {
    message(view: ChatMessageView): void {
      if (view.type === "channel") namespace.to(channelRoom(view.target)).emit("message", view);
      else namespace.to([userRoom(view.target), userRoom(view.username)]).emit("message", view);
      if (view.type === "channel") for (const observer of observers) observer.message?.(view);
    },
    /** A message only one user's sockets get (a preview's chat, for its developer); apps do not hear it. */
    toUser(username: string, view: ChatMessageView): void {
      namespace.to(userRoom(username)).emit("message", view);
    },
    deleted(payload: { id: number; channel: string }): void {
      namespace.to(channelRoom(payload.channel)).emit("delete", payload);
      for (const observer of observers) observer.deleted?.(payload);
    },
    observe(observer: ChatObserver): () => void {
      observers.add(observer);
      return () => observers.delete(observer);
    },
    settings(payload: { name: string; slowModeSeconds: number; chatDisabled: boolean }): void {
      namespace.to(channelRoom(payload.name)).emit("settings", { channel: payload.name, slowModeSeconds: payload.slowModeSeconds, chatDisabled: payload.chatDisabled });
    },
    restricted(payload: { channel: string; username: string; expiresAt: Date | null }): void {
      namespace.to(channelRoom(payload.channel)).emit("restricted", { channel: payload.channel, username: payload.username, expiresAt: payload.expiresAt?.getTime() ?? null });
    },
  };
}
