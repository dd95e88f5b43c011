import { announceProposalAction } from "./announce-proposal-action";
import { loadProposalForActor } from "./load-proposal-for-actor";
import type { Actor, ReviewDeps } from "./review-deps";

/** The author and staff discuss a proposal, in any state (as on a closed pull request). */
export async function commentOnProposal(options: { deps: ReviewDeps; actor: Actor; proposalId: string; body: string; path?: string }) {
  const { deps, actor } = options;
  const proposal = await loadProposalForActor({ prisma: deps.prisma, actor, proposalId: options.proposalId, as: "participant" });
  const comment = await deps.prisma.proposalComment.create({
    data: { proposalId: proposal.id, authorId: actor.userId, body: options.body, path: options.path ?? null },
  });
  await announceProposalAction({
    deps,
    actor,
    proposal,
    action: "proposal.commented",
    details: { commentId: comment.id },
    bundleHash: null,
    notifyAuthor: proposal.authorId === actor.userId ? undefined : { kind: "proposal.comment", state: proposal.state, message: `${actor.username} commented on #${proposal.number}` },
  });
  return comment;
}
