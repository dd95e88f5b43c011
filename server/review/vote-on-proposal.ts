// Staff vote on open proposals. The author cannot vote on their own; a voter's second vote
// replaces the first (it counts once). When approvals from staff other than the author reach
// REVIEW_APPROVALS the proposal is accepted and deployed; as many rejections reject it.
import { isAppError } from "../errors";
import { announceProposalAction } from "./announce-proposal-action";
import { acceptAndApplyProposal } from "./apply-proposal";
import { loadProposalForActor } from "./load-proposal-for-actor";
import { transitionProposal } from "./proposal-states";
import type { Actor, ReviewDeps } from "./review-deps";

export async function voteOnProposal(options: { deps: ReviewDeps; actor: Actor; proposalId: string; approve: boolean; comment?: string }) {
  const { deps, actor } = options;
  const { prisma } = deps;
  const proposal = await loadProposalForActor({ prisma, actor, proposalId: options.proposalId, as: "voter" });

  await prisma.proposalVote.upsert({
    where: { proposalId_voterId: { proposalId: proposal.id, voterId: actor.userId } },
    create: { proposalId: proposal.id, voterId: actor.userId, approve: options.approve },
    update: { approve: options.approve },
  });
  if (options.comment?.trim()) await prisma.proposalComment.create({ data: { proposalId: proposal.id, authorId: actor.userId, body: options.comment.trim() } });
  await announceProposalAction({
    deps,
    actor,
    proposal,
    action: "proposal.voted",
    details: { approve: options.approve },
    notifyAuthor: { kind: "proposal.vote", state: proposal.state, message: `${actor.username} ${options.approve ? "approved" : "voted to reject"} #${proposal.number}` },
  });

  // Votes of staff other than the author, counted fresh: a voter since demoted no longer counts.
  const votes = await prisma.proposalVote.findMany({ where: { proposalId: proposal.id, voterId: { not: proposal.authorId }, voter: { role: "STAFF" } } });
  const approvals = votes.filter((vote) => vote.approve).length;
  const rejections = votes.length - approvals;
  if (approvals >= deps.approvalsRequired) {
    try {
      return await acceptAndApplyProposal({ deps, actor, proposal, reason: `${approvals} of ${deps.approvalsRequired} approvals` });
    } catch (error) {
      // A concurrent vote accepted it first: this vote still counted, the deploy runs once.
      if (!(isAppError(error) && error.code === "CONFLICT")) throw error;
      return prisma.proposal.findUniqueOrThrow({ where: { id: proposal.id } });
    }
  }
  if (rejections >= deps.approvalsRequired) {
    const reason = `${rejections} rejection${rejections === 1 ? "" : "s"}`;
    await transitionProposal({ prisma, proposalId: proposal.id, from: "OPEN", to: "REJECTED", data: { stateReason: reason } });
    await announceProposalAction({ deps, actor, proposal, action: "proposal.rejected", details: { reason }, notifyAuthor: { state: "REJECTED", message: `#${proposal.number} was rejected` } });
  }
  return prisma.proposal.findUniqueOrThrow({ where: { id: proposal.id } });
}
