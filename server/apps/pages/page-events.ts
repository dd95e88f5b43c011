// Socket.IO events of app pages on the /apps namespace (merged into server/apps/events.ts's
// maps): the host page that embeds an app's page joins it, relays the page's rpc calls, and
// receives the app's events. Acks answer `{data}` or `{error}`.
import { z } from "zod";
import { appIdSchema } from "../manifest";

export type PageError = { code: string; message: string; event?: string };
export type PageAck<T> = (response: { data: T } | { error: PageError }) => void;

const pageIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "Not a page id");
export const pageRefSchema = z.object({ appId: appIdSchema, pageId: pageIdSchema, target: z.enum(["live", "preview"]).default("live") });
export type PageRef = z.output<typeof pageRefSchema>;

/** Longest an rpc call may wait for the app; the bridge asks for less (default 10 s). */
export const maxRpcTimeoutMs = 30_000;
export const rpcCallSchema = pageRefSchema.extend({
  method: z.string().min(1).max(100),
  args: z.array(z.unknown()).max(20).default([]),
  timeoutMs: z.number().int().min(100).max(maxRpcTimeoutMs).default(10_000),
});

/** A user who opened or closed one of the app's pages (null: a guest). */
export type PageUser = { id: string; username: string; displayName: string } | null;

export type PageClientToServerEvents = {
  "page:join": (payload: z.input<typeof pageRefSchema>, ack?: PageAck<{ appId: string; pageId: string; users: number }>) => void;
  "page:leave": (payload: z.input<typeof pageRefSchema>, ack?: PageAck<{ appId: string; pageId: string }>) => void;
  "rpc:call": (payload: z.input<typeof rpcCallSchema>, ack?: PageAck<{ result: unknown }>) => void;
};

/** Each client event's payload schema: the handlers parse with these, and the fuzz test walks them. */
export const pageEventSchemas = {
  "page:join": pageRefSchema,
  "page:leave": pageRefSchema,
  "rpc:call": rpcCallSchema,
} satisfies Record<keyof PageClientToServerEvents, z.ZodType>;

export type PageServerToClientEvents = {
  /** An event the app's server script emitted to all its pages, this page, or this user. */
  "rpc:event": (payload: { appId: string; target: "live" | "preview"; event: string; payload: unknown }) => void;
  /** Someone opened (`connected`) or closed (`disconnected`) one of the app's pages. */
  "page:user": (payload: { appId: string; target: "live" | "preview"; pageId: string; user: PageUser; connected: boolean; users: number }) => void;
  error: (payload: PageError) => void;
};

export type PageSocketData = { pages: string[] };

export const appRoom = (target: string, appId: string) => `app:${target}:${appId}`;
export const appPageRoom = (target: string, appId: string, pageId: string) => `app:${target}:${appId}:page:${pageId}`;
export const appUserRoom = (target: string, appId: string, userId: string) => `app:${target}:${appId}:user:${userId}`;
