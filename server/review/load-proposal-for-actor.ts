// Who may act on a proposal, checked in one place so each action opens the same way and answers
// the same AppError codes.
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { findProposal, requireOpen } from "./proposal-states";
import { isStaff, type Actor } from "./review-deps";

/**
 * - `participant` (comments): the author or staff, in any state; anyone else sees NOT_FOUND, so a
 *   proposal's existence does not leak.
 * - `voter`: staff other than the author, while Open (FORBIDDEN / CONFLICT).
 * - `author` (withdraw): only the author, while Open (FORBIDDEN / CONFLICT).
 */
export async function loadProposalForActor(options: { prisma: PrismaClient; actor: Actor; proposalId: string; as: "participant" | "voter" | "author" }) {
  const { actor } = options;
  // Checked before the lookup: a non-staff voter learns nothing about which proposals exist.
  if (options.as === "voter" && !isStaff(actor)) throw new AppError("FORBIDDEN", "Only staff vote on proposals");
  const proposal = await findProposal(options.prisma, options.proposalId);
  const isAuthor = proposal.authorId === actor.userId;
  if (options.as === "participant") {
    if (!isAuthor && !isStaff(actor)) throw new AppError("NOT_FOUND", "No such proposal");
    return proposal;
  }
  if (options.as === "voter" && isAuthor) throw new AppError("FORBIDDEN", "You cannot vote on your own proposal");
  if (options.as === "author" && !isAuthor) throw new AppError("FORBIDDEN", "Only the author may withdraw a proposal");
  requireOpen(proposal);
  return proposal;
}
