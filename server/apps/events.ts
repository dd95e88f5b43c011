// Socket.IO event types of the /apps namespace. Signed-in sockets join room `user:<userId>`;
// review and operations tell authors and staff what happens to proposals there.
import type { DeployStep } from "./runtime-contract";

export type ProposalStateName = "OPEN" | "ACCEPTED" | "REJECTED" | "WITHDRAWN" | "DROPPED" | "FAILED";

export type AppNotificationEvent = {
  id: number;
  kind: string;
  proposalId?: string;
  appId: string;
  state: string;
  message: string;
  at: number;
};

export type ProposalProgressEvent = { proposalId: string; appId: string; step: DeployStep; state: ProposalStateName };

export type AppsServerToClientEvents = {
  notification: (payload: AppNotificationEvent) => void;
  "proposal:progress": (payload: ProposalProgressEvent) => void;
};

export const appsUserRoom = (userId: string) => `user:${userId}`;
