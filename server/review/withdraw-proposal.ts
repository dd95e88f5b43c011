import { announceProposalAction } from "./announce-proposal-action";
import { loadProposalForActor } from "./load-proposal-for-actor";
import { transitionProposal } from "./proposal-states";
import type { Actor, ReviewDeps } from "./review-deps";

/** Only the author withdraws, and only while the proposal is Open. */
export async function withdrawProposal(options: { deps: ReviewDeps; actor: Actor; proposalId: string }) {
  const { prisma } = options.deps;
  const proposal = await loadProposalForActor({ prisma, actor: options.actor, proposalId: options.proposalId, as: "author" });
  await transitionProposal({ prisma, proposalId: proposal.id, from: "OPEN", to: "WITHDRAWN", data: { stateReason: "withdrawn by the author" } });
  await announceProposalAction({ deps: options.deps, actor: options.actor, proposal, action: "proposal.withdrawn" });
  return prisma.proposal.findUniqueOrThrow({ where: { id: proposal.id } });
}
