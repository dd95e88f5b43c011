// What the review domain needs from the rest of the server, injected so each function takes it
// in one options object.
import type { PrismaClient } from "../db/generated/client";
import type { StoredBundle } from "../apps/bundle";
import type { AppRuntimeControl, DeployResult, DeployStep } from "../apps/runtime-contract";
import type { Caller } from "../auth/caller";
import type { ReviewNotifier } from "./notifications";

/** The runtime's apply step (server/apps/deploy-bundle.ts deployBundle, bound to prisma and runtime). */
export type DeployBundleFn = (options: {
  appId: string;
  /** The app's owner, read by the caller with the app (saves the deploy a read). */
  ownerId?: string;
  bundle: StoredBundle;
  disableBytecodeCache: boolean;
  actorId: string | null;
  source: "deploy" | "rollback";
  onProgress?: (step: DeployStep) => void;
}) => Promise<DeployResult>;

export type ReviewDeps = {
  prisma: PrismaClient;
  notifier: ReviewNotifier;
  deploy: DeployBundleFn;
  runtime: AppRuntimeControl;
  /** REVIEW_APPROVALS: approvals from staff other than the author that accept a proposal. */
  approvalsRequired: number;
};

export type Actor = Caller;

export const isStaff = (actor: Actor) => actor.role === "STAFF";
