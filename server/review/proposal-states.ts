// The constitution's state machine. Every change of a proposal's state goes through
// `transitionProposal`, a conditional update: it happens only from an allowed state, and of two
// concurrent attempts exactly one wins (the loser sees CONFLICT).
import type { Prisma, PrismaClient, ProposalState } from "../db/generated/client";
import { AppError } from "../errors";

/** Where each state may go. Accepted becomes Failed when the deploy fails; the rest are final. */
export const allowedTransitions: Record<ProposalState, ProposalState[]> = {
  OPEN: ["ACCEPTED", "REJECTED", "WITHDRAWN", "DROPPED"],
  ACCEPTED: ["FAILED"],
  REJECTED: [],
  WITHDRAWN: [],
  DROPPED: [],
  FAILED: [],
};

export const stateLabels: Record<ProposalState, string> = {
  OPEN: "Open",
  ACCEPTED: "Accepted",
  REJECTED: "Rejected",
  WITHDRAWN: "Withdrawn",
  DROPPED: "Dropped",
  FAILED: "Failed",
};

export async function transitionProposal(options: {
  prisma: PrismaClient | Prisma.TransactionClient;
  proposalId: string;
  from: ProposalState;
  to: ProposalState;
  data?: Prisma.ProposalUpdateManyMutationInput;
}): Promise<void> {
  if (!allowedTransitions[options.from].includes(options.to)) {
    throw new AppError("CONFLICT", `A proposal cannot go from ${stateLabels[options.from]} to ${stateLabels[options.to]}`);
  }
  const final = options.to !== "OPEN" && options.to !== "ACCEPTED";
  const result = await options.prisma.proposal.updateMany({
    where: { id: options.proposalId, state: options.from },
    data: { ...options.data, state: options.to, ...(final || options.to === "ACCEPTED" ? { decidedAt: new Date() } : {}) },
  });
  if (result.count === 0) throw new AppError("CONFLICT", `The proposal is no longer ${stateLabels[options.from]}`);
}

/** Loads a proposal or answers NOT_FOUND. */
export async function findProposal(prisma: PrismaClient, proposalId: string) {
  const proposal = await prisma.proposal.findUnique({ where: { id: proposalId } });
  if (!proposal) throw new AppError("NOT_FOUND", "No such proposal");
  return proposal;
}

export function requireOpen(proposal: { state: ProposalState }): void {
  if (proposal.state !== "OPEN") throw new AppError("CONFLICT", `The proposal is ${stateLabels[proposal.state]}, not Open`);
}
