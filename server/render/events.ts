// Socket.IO event types of the /render namespace: Jiomosa's protocol (names and payloads kept so
// its clients work against <origin>/render) plus Canopy's additions: `binary` frames on request,
// `input:key`, `session:ended`. Acks, when given, answer `{data}` or `{error}` as on /chat.
import { z } from "zod";
import type { Caller } from "../auth/caller";
import type { RenderPeerEvent } from "./service";

export type RenderError = { code: string; message: string; event?: string };
export type RenderAck<T> = (response: { data: T } | { error: RenderError }) => void;

export type SubscribedPayload = {
  session_id: string;
  quality: number;
  fps: number;
  adaptive_mode: boolean;
  width: number;
  height: number;
  binary: boolean;
  message: string;
};

/** Jiomosa's frame: `image` is base64 JPEG, or a binary JPEG for clients that subscribed with `binary: true`. */
export type FramePayload = {
  image: string | Buffer;
  /** Epoch seconds (as Jiomosa's time.time()) when the frame was captured. */
  timestamp: number;
  /** Bytes of the JPEG. */
  size: number;
  width: number;
  height: number;
  seq: number;
  format: "jpeg";
};

export type RenderClientToServerEvents = {
  subscribe: (payload: { session_id: string; binary?: boolean }, ack?: RenderAck<SubscribedPayload>) => void;
  unsubscribe: (payload?: { session_id?: string }, ack?: RenderAck<{ session_id: string | null }>) => void;
  "input:click": (payload: { x: number; y: number; button?: "left" | "right" | "middle" }, ack?: RenderAck<{ type: "click" }>) => void;
  "input:scroll": (payload: { deltaX?: number; deltaY?: number; x?: number; y?: number }, ack?: RenderAck<{ type: "scroll" }>) => void;
  "input:text": (payload: { text: string }, ack?: RenderAck<{ type: "text" }>) => void;
  "input:key": (payload: { key: string; modifiers?: Array<"Alt" | "Control" | "Meta" | "Shift"> }, ack?: RenderAck<{ type: "key" }>) => void;
  "quality:set": (payload: { quality: number }, ack?: RenderAck<{ quality: number }>) => void;
  "fps:set": (payload: { fps: number }, ack?: RenderAck<{ fps: number }>) => void;
  "adaptive:toggle": (payload: { enabled?: boolean }, ack?: RenderAck<{ enabled: boolean }>) => void;
};

const coordinate = z.number().finite().min(-100_000).max(100_000);
/** Each client event's payload schema: the handlers parse with these, and the fuzz test walks them. */
export const renderEventSchemas = {
  subscribe: z.object({ session_id: z.string().min(1).max(128), binary: z.boolean().optional() }),
  unsubscribe: z.object({ session_id: z.string().max(128).optional() }).optional(),
  "input:click": z.object({ x: coordinate, y: coordinate, button: z.enum(["left", "right", "middle"]).optional() }),
  "input:scroll": z.object({ deltaX: coordinate.default(0), deltaY: coordinate.default(0), x: coordinate.optional(), y: coordinate.optional() }),
  "input:text": z.object({ text: z.string().min(1, "text is required").max(2000) }),
  "input:key": z.object({ key: z.string().min(1).max(32), modifiers: z.array(z.enum(["Alt", "Control", "Meta", "Shift"])).max(4).optional() }),
  "quality:set": z.object({ quality: z.number().min(1, "quality must be between 1 and 100").max(100, "quality must be between 1 and 100") }),
  "fps:set": z.object({ fps: z.number().min(1, "fps must be between 1 and 60").max(60, "fps must be between 1 and 60") }),
  "adaptive:toggle": z.object({ enabled: z.boolean().default(true) }).default({ enabled: true }),
} satisfies Record<keyof RenderClientToServerEvents, z.ZodType>;

export type RenderServerToClientEvents = {
  status: (payload: { message: string; type: string }) => void;
  subscribed: (payload: SubscribedPayload) => void;
  unsubscribed: (payload: { message: string; session_id: string | null }) => void;
  frame: (payload: FramePayload) => void;
  "input:acknowledged": (payload: Record<string, unknown> & { type: string }) => void;
  "quality:updated": (payload: { quality: number; adaptive?: boolean }) => void;
  "fps:updated": (payload: { fps: number; adaptive?: boolean }) => void;
  "adaptive:updated": (payload: { enabled: boolean }) => void;
  "session:ended": (payload: { session_id: string; reason: string; message: string }) => void;
  error: (payload: RenderError) => void;
};

/** Between the nodes of a cluster: session ends, allow-list changes, and what adaptive mode shares. */
export type RenderInterServerEvents = { render: (event: RenderPeerEvent) => void };

export type RenderSocketData = { caller: Caller | null; subscription: { sessionId: string; binary: boolean } | null };

export const sessionRoom = (sessionId: string) => `render:${sessionId}`;
