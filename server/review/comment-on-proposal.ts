import { AppError } from "../errors";
import { recordAudit } from "./audit-log";
import { notifyUsers } from "./notifications";
import { findProposal } from "./proposal-states";
import { isStaff, type Actor, type ReviewDeps } from "./review-deps";

/** The author and staff discuss a proposal, in any state (as on a closed pull request). */
export async function commentOnProposal(options: { deps: ReviewDeps; actor: Actor; proposalId: string; body: string; path?: string }) {
  const { deps, actor } = options;
  const proposal = await findProposal(deps.prisma, options.proposalId);
  if (proposal.authorId !== actor.userId && !isStaff(actor)) throw new AppError("NOT_FOUND", "No such proposal");
  const comment = await deps.prisma.proposalComment.create({
    data: { proposalId: proposal.id, authorId: actor.userId, body: options.body, path: options.path ?? null },
  });
  await recordAudit({ prisma: deps.prisma, actor, action: "proposal.commented", appId: proposal.appId, proposalId: proposal.id, details: { commentId: comment.id } });
  if (proposal.authorId !== actor.userId) {
    await notifyUsers({
      prisma: deps.prisma,
      notifier: deps.notifier,
      userIds: [proposal.authorId],
      kind: "proposal.comment",
      appId: proposal.appId,
      proposalId: proposal.id,
      state: proposal.state,
      message: `${actor.username} commented on #${proposal.number}`,
    });
  }
  return comment;
}
