import { AppError } from "../errors";
import { announceProposalAction } from "./announce-proposal-action";
import { findProposal, requireOpen, transitionProposal } from "./proposal-states";
import type { Actor, ReviewDeps } from "./review-deps";

/** Only the author withdraws, and only while the proposal is Open. */
export async function withdrawProposal(options: { deps: ReviewDeps; actor: Actor; proposalId: string }) {
  const { prisma } = options.deps;
  const proposal = await findProposal(prisma, options.proposalId);
  if (proposal.authorId !== options.actor.userId) throw new AppError("FORBIDDEN", "Only the author may withdraw a proposal");
  requireOpen(proposal);
  await transitionProposal({ prisma, proposalId: proposal.id, from: "OPEN", to: "WITHDRAWN", data: { stateReason: "withdrawn by the author" } });
  await announceProposalAction({ deps: options.deps, actor: options.actor, proposal, action: "proposal.withdrawn" });
  return prisma.proposal.findUniqueOrThrow({ where: { id: proposal.id } });
}
