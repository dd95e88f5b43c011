// Events of the /apps namespace: app log streaming for owners and staff now; the pages issue
// adds rpc events here. Payloads are validated with zod; acks are {data} | {error}.
import { z } from "zod";
import type { AppLogEntry, AppTarget, DeployStep } from "./runtime-contract";
import { pageEventSchemas, type PageClientToServerEvents, type PageServerToClientEvents } from "./pages/page-events";

export const logsSubscribeSchema = z.object({ appId: z.string().min(2).max(40), target: z.enum(["live", "preview"]), afterSeq: z.number().int().nonnegative().optional() });
export const logsUnsubscribeSchema = logsSubscribeSchema.pick({ appId: true, target: true });

export type Ack<T> = (reply: { data: T } | { error: { code: string; message: string } }) => void;

export interface AppsClientToServerEvents extends PageClientToServerEvents {
  "logs:subscribe": (payload: z.input<typeof logsSubscribeSchema>, ack: Ack<{ entries: AppLogEntry[] }>) => void;
  "logs:unsubscribe": (payload: z.input<typeof logsUnsubscribeSchema>, ack?: Ack<{ appId: string; target: AppTarget }>) => void;
}

/** Each client event's payload schema, so the fuzz test can walk every event of the namespace. */
export const appsEventSchemas = {
  ...pageEventSchemas,
  "logs:subscribe": logsSubscribeSchema,
  "logs:unsubscribe": logsUnsubscribeSchema,
} satisfies Record<keyof AppsClientToServerEvents, z.ZodType>;

export interface AppsServerToClientEvents extends PageServerToClientEvents {
  log: (payload: { appId: string; target: AppTarget; entry: AppLogEntry }) => void;
  /** The review flow sends these to `user:<userId>`: a stored notification, as the list shows it. */
  notification: (payload: AppNotificationEvent) => void;
  /** Deploy steps of an accepted proposal, to its author and staff. */
  "proposal:progress": (payload: ProposalProgressEvent) => void;
}

export type ProposalStateName = "OPEN" | "ACCEPTED" | "REJECTED" | "WITHDRAWN" | "DROPPED" | "FAILED";
export type AppNotificationEvent = { id: number; kind: string; proposalId?: string; appId: string; state: string; message: string; at: number };
export type ProposalProgressEvent = { proposalId: string; appId: string; step: DeployStep; state: ProposalStateName };

export const logRoom = (appId: string, target: AppTarget) => `logs:${appId}:${target}`;
export const userRoom = (userId: string) => `user:${userId}`;
