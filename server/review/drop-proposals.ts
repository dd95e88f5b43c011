// Dropped: a newer proposal for the same app supersedes the open ones, and an app that is gone
// takes its open proposals with it.
import type { Proposal } from "../db/generated/client";
import { AppError, isAppError } from "../errors";
import { announceProposalAction } from "./announce-proposal-action";
import type { AuditActor } from "./audit-log";
import { transitionProposal } from "./proposal-states";
import type { ReviewDeps } from "./review-deps";

async function dropProposal(options: { deps: ReviewDeps; actor: AuditActor; proposal: Proposal; reason: string; supersededById?: string }): Promise<boolean> {
  const { deps, proposal } = options;
  try {
    await transitionProposal({
      prisma: deps.prisma,
      proposalId: proposal.id,
      from: "OPEN",
      to: "DROPPED",
      data: { stateReason: options.reason, supersededById: options.supersededById ?? null },
    });
  } catch (error) {
    // Decided meanwhile (accepted, withdrawn): nothing to drop.
    if (isAppError(error) && error.code === "CONFLICT") return false;
    throw error;
  }
  await announceProposalAction({
    deps,
    actor: options.actor,
    proposal,
    action: "proposal.dropped",
    details: { reason: options.reason },
    notifyAuthor: { state: "DROPPED", message: `#${proposal.number} was dropped: ${options.reason}` },
  });
  return true;
}

export async function dropSupersededProposals(options: { deps: ReviewDeps; actor: AuditActor; newer: Proposal }): Promise<number> {
  const older = await options.deps.prisma.proposal.findMany({
    where: { appId: options.newer.appId, state: "OPEN", id: { not: options.newer.id }, number: { lt: options.newer.number } },
  });
  let dropped = 0;
  for (const proposal of older) {
    if (await dropProposal({ deps: options.deps, actor: options.actor, proposal, reason: `superseded by #${options.newer.number}`, supersededById: options.newer.id })) dropped++;
  }
  return dropped;
}

/** Drops the open proposals of an app that was deleted (call after deleting it). */
export async function dropProposalsOfDeletedApp(options: { deps: ReviewDeps; actor: AuditActor; appId: string }): Promise<number> {
  const app = await options.deps.prisma.app.findUnique({ where: { id: options.appId }, select: { id: true } });
  if (app) throw new AppError("CONFLICT", "The app still exists");
  const open = await options.deps.prisma.proposal.findMany({ where: { appId: options.appId, state: "OPEN" } });
  let dropped = 0;
  for (const proposal of open) {
    if (await dropProposal({ deps: options.deps, actor: options.actor, proposal, reason: "the app was deleted" })) dropped++;
  }
  return dropped;
}
