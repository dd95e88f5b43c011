// Socket.IO event types of the /chat namespace: Ting's real-time protocol plus Canopy's
// additions (viewer counts, deletions, settings). Acks answer `{data}` or `{error}`.
import type { z } from "zod";
import type { Caller } from "../auth/caller";
import { channelPayloadSchema, loginPayloadSchema, messagePayloadSchema, type ChatMessageView } from "./schemas";

export type ChatError = { code: string; message: string; event?: string; retryAfterMs?: number };
export type Ack<T> = (response: { data: T } | { error: ChatError }) => void;

export type ChatClientToServerEvents = {
  login: (payload: { username: string }, ack?: Ack<{ username: string; guest: boolean }>) => void;
  join: (payload: { channel: string }, ack?: Ack<{ channel: string; participants: string[]; viewers: number }>) => void;
  part: (payload: { channel: string }, ack?: Ack<{ channel: string }>) => void;
  message: (payload: { type: "channel" | "user"; target: string; text: string }, ack?: Ack<ChatMessageView>) => void;
};

/** Each client event's payload schema: the handlers parse with these, and the fuzz test walks them. */
export const chatEventSchemas = {
  login: loginPayloadSchema,
  join: channelPayloadSchema,
  part: channelPayloadSchema,
  message: messagePayloadSchema,
} satisfies Record<keyof ChatClientToServerEvents, z.ZodType>;

export type ChatServerToClientEvents = {
  join: (payload: { username: string; channel: string }) => void;
  part: (payload: { username: string; channel: string }) => void;
  channel: (payload: { channel: string; participants: string[]; viewers: number }) => void;
  message: (payload: ChatMessageView) => void;
  delete: (payload: { id: number; channel: string }) => void;
  viewers: (payload: { channel: string; count: number }) => void;
  settings: (payload: { channel: string; slowModeSeconds: number; chatDisabled: boolean }) => void;
  restricted: (payload: { channel: string; username: string; expiresAt: number | null }) => void;
  error: (payload: ChatError) => void;
};

/** Between server nodes of a cluster: a cached lookup changed, every node forgets it. */
export type ChatInterServerEvents = {
  forgetChannel: (name: string) => void;
  forgetRestriction: (channelId: string, userId: string) => void;
  forgetChannelApps: (channelId: string) => void;
};

export type ChatSocketData = { caller: Caller | null; guestName: string; channels: string[] };

export const channelRoom = (channel: string) => `channel:${channel}`;
export const userRoom = (username: string) => `user:${username}`;
