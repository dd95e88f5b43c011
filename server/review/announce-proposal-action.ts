// One proposal action as the review domain records it: a row in the audit log and, when given,
// a notification to the proposal's author.
import type { Proposal } from "../db/generated/client";
import { recordAudit, type AuditAction, type AuditActor } from "./audit-log";
import { notifyUsers } from "./notifications";
import type { ReviewDeps } from "./review-deps";

export async function announceProposalAction(options: {
  deps: ReviewDeps;
  actor: AuditActor;
  proposal: Proposal;
  action: AuditAction;
  details?: Record<string, unknown>;
  deploymentId?: string;
  /** Defaults to the proposal's content hash. */
  bundleHash?: string | null;
  notifyAuthor?: { kind?: "proposal.state" | "proposal.vote" | "proposal.comment"; state: string; message: string };
}): Promise<void> {
  const { deps, proposal } = options;
  await recordAudit({
    prisma: deps.prisma,
    actor: options.actor,
    action: options.action,
    appId: proposal.appId,
    proposalId: proposal.id,
    deploymentId: options.deploymentId,
    bundleHash: options.bundleHash === undefined ? proposal.contentHash : options.bundleHash,
    details: options.details,
  });
  if (!options.notifyAuthor) return;
  await notifyUsers({
    prisma: deps.prisma,
    notifier: deps.notifier,
    userIds: [proposal.authorId],
    kind: options.notifyAuthor.kind ?? "proposal.state",
    appId: proposal.appId,
    proposalId: proposal.id,
    state: options.notifyAuthor.state,
    message: options.notifyAuthor.message,
  });
}
