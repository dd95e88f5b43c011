// Acceptance: claim the proposal (Open → Accepted, a conditional update, so two concurrent
// accepts deploy once), then run the runtime's atomic swap, reporting each step. A failed deploy
// leaves the previous version serving and marks the proposal Failed with the reason.
import type { Proposal } from "../db/generated/client";
import type { StoredBundle } from "../apps/bundle";
import type { DeployResult, DeployStep } from "../apps/runtime-contract";
import { announceProposalAction } from "./announce-proposal-action";
import { staffUserIds } from "./notifications";
import { transitionProposal } from "./proposal-states";
import type { Actor, ReviewDeps } from "./review-deps";

export async function acceptAndApplyProposal(options: { deps: ReviewDeps; actor: Actor; proposal: Proposal; reason: string }) {
  const { deps, actor, proposal } = options;
  const { prisma } = deps;
  const app = await prisma.app.findUnique({ where: { id: proposal.appId }, select: { id: true } });
  if (!app) {
    await transitionProposal({ prisma, proposalId: proposal.id, from: "OPEN", to: "DROPPED", data: { stateReason: "the app was deleted" } });
    await announceProposalAction({ deps, actor, proposal, action: "proposal.dropped", details: { reason: "the app was deleted" } });
    return prisma.proposal.findUniqueOrThrow({ where: { id: proposal.id } });
  }
  // Who watches the deploy is read while the proposal is claimed (a read: harmless if the claim fails).
  const [staff] = await Promise.all([
    staffUserIds(prisma),
    (async () => {
      await transitionProposal({ prisma, proposalId: proposal.id, from: "OPEN", to: "ACCEPTED", data: { deployStep: "validating", stateReason: options.reason } });
      await announceProposalAction({ deps, actor, proposal, action: "proposal.accepted", details: { reason: options.reason } });
    })(),
  ]);
  const watchers = [...new Set([proposal.authorId, ...staff])];
  const report = (step: DeployStep, state: "ACCEPTED" | "FAILED") => deps.notifier.progress(watchers, { proposalId: proposal.id, appId: proposal.appId, step, state });
  let lastStep: DeployStep = "validating";
  let stored: Promise<unknown> = Promise.resolve();
  let storeQueued = false;
  report(lastStep, "ACCEPTED");

  const result = await deps
    .deploy({
      appId: proposal.appId,
      bundle: proposal.bundle as unknown as StoredBundle,
      disableBytecodeCache: proposal.disableBytecodeCache,
      actorId: actor.userId,
      source: proposal.kind === "ROLLBACK" ? "rollback" : "deploy",
      onProgress: (step) => {
        lastStep = step;
        report(step, "ACCEPTED");
        // Stored too, so a page opened mid-deploy shows where it is; queued so writes keep their order,
        // and steps passed while a write is under way are skipped (the next write stores the latest).
        if (storeQueued) return;
        storeQueued = true;
        stored = stored
          .then(() => {
            storeQueued = false;
            return prisma.proposal.updateMany({ where: { id: proposal.id, state: "ACCEPTED" }, data: { deployStep: lastStep } });
          })
          .catch(() => undefined);
      },
    })
    .catch((error: unknown): DeployResult => ({ ok: false, step: lastStep, reason: error instanceof Error ? error.message : String(error) }));

  await stored;
  if (result.ok) {
    await prisma.proposal.update({ where: { id: proposal.id }, data: { deployStep: "switched", deploymentId: result.deploymentId } });
    report("switched", "ACCEPTED");
    await announceProposalAction({
      deps,
      actor,
      proposal,
      action: "proposal.deployed",
      deploymentId: result.deploymentId,
      bundleHash: result.contentHash,
      notifyAuthor: { state: "ACCEPTED", message: `#${proposal.number} was accepted and is live on ${proposal.appId}` },
    });
  } else {
    const reason = `${result.step}: ${result.reason}`;
    await transitionProposal({ prisma, proposalId: proposal.id, from: "ACCEPTED", to: "FAILED", data: { deployStep: result.step, stateReason: reason } });
    report(result.step, "FAILED");
    await announceProposalAction({
      deps,
      actor,
      proposal,
      action: "proposal.failed",
      details: { step: result.step, reason: result.reason, issues: result.issues ?? [] },
      notifyAuthor: { state: "FAILED", message: `#${proposal.number} failed to deploy (${reason}); the previous version keeps running` },
    });
  }
  return prisma.proposal.findUniqueOrThrow({ where: { id: proposal.id } });
}
