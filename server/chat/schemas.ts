import { z } from "zod";

/** Channel names follow usernames: every member's channel is named after them. */
export const channelNameSchema = z
  .string()
  .trim()
  .min(2, "Channel names have at least 2 characters")
  .max(24, "Channel names have at most 24 characters")
  .regex(/^[A-Za-z0-9_]+$/, "Channel names contain only letters, digits and underscores")
  .transform((value) => value.toLowerCase());

export const loginPayloadSchema = z.object({ username: z.string().max(100) });
export const channelPayloadSchema = z.object({ channel: channelNameSchema });

/** Length is checked against the configured limit by sendMessage, so the error names it. */
export const messagePayloadSchema = z.object({
  type: z.enum(["channel", "user"]),
  target: z.string().trim().min(1).max(24).transform((value) => value.toLowerCase()),
  text: z.string().max(100_000, "Message is far too long"),
});

export type MessagePayload = z.infer<typeof messagePayloadSchema>;

/** What clients receive for every message (Ting's fields plus Open360's display name and colour). */
export type ChatMessageView = {
  id: number;
  username: string;
  displayName: string;
  color: string;
  type: "channel" | "user";
  target: string;
  text: string;
  datetime: number;
  /** Set by the server on messages an app sent; no user-sent message carries these. */
  appId?: string;
  /** The app badge: shown next to the name (not on system messages, which show as notices). */
  app?: { id: string; name: string };
  system?: true;
  /** A preview's message: delivered to its developer only, never stored (its id is negative). */
  preview?: true;
};
