// Acceptance: claim the proposal (Open → Accepted, a conditional update, so two concurrent
// accepts deploy once), then run the runtime's atomic swap, reporting each step. A failed deploy
// leaves the previous version serving and marks the proposal Failed with the reason.
import type { Proposal } from "../db/generated/client";
import { describeBundleIssue, type StoredBundle } from "../apps/bundle";
import type { DeployResult, DeployStep } from "../apps/runtime-contract";
import { announceProposalAction } from "./announce-proposal-action";
import { staffUserIds } from "./notifications";
import { transitionProposal } from "./proposal-states";
import type { Actor, ReviewDeps } from "./review-deps";

/** A deploy that takes longer than this stores its current step, for pages opened meanwhile (quicker ones store only the outcome). */
const storeStepAfterMs = 250;

export async function acceptAndApplyProposal(options: {
  deps: ReviewDeps;
  actor: Actor;
  proposal: Proposal;
  reason: string;
  /** The proposal's app, when the caller has just read it (saves a read on the deploy path). */
  app?: { id: string; ownerId: string };
}) {
  const { deps, actor, proposal } = options;
  const { prisma } = deps;
  const app = options.app ?? (await prisma.app.findUnique({ where: { id: proposal.appId }, select: { id: true, ownerId: true } }));
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
  // One write at a time, of the latest step, and none once the deploy has finished.
  let stored: Promise<unknown> = Promise.resolve();
  let storeTimer: NodeJS.Timeout | undefined;
  let finished = false;
  const storeStep = () => {
    storeTimer = undefined;
    stored = stored
      .then(() => (finished ? undefined : prisma.proposal.updateMany({ where: { id: proposal.id, state: "ACCEPTED" }, data: { deployStep: lastStep } })))
      .catch(() => undefined);
  };
  report(lastStep, "ACCEPTED");

  const result = await deps
    .deploy({
      appId: proposal.appId,
      ownerId: app.ownerId,
      bundle: proposal.bundle as unknown as StoredBundle,
      disableBytecodeCache: proposal.disableBytecodeCache,
      actorId: actor.userId,
      source: proposal.kind === "ROLLBACK" ? "rollback" : "deploy",
      onProgress: (step) => {
        lastStep = step;
        report(step, "ACCEPTED");
        // Watchers see every step live; the stored step is for pages opened mid-deploy, so a slow
        // deploy stores where it is (every storeStepAfterMs) and a quick one only its outcome.
        storeTimer ??= setTimeout(storeStep, storeStepAfterMs);
      },
    })
    .catch((error: unknown): DeployResult => ({ ok: false, step: lastStep, reason: error instanceof Error ? error.message : String(error) }));

  finished = true;
  clearTimeout(storeTimer);
  await stored;
  if (result.ok) {
    const deployed = await prisma.proposal.update({ where: { id: proposal.id }, data: { deployStep: "switched", deploymentId: result.deploymentId } });
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
    return deployed;
  }
  // The proposal keeps the reason (the review page and the deploy route show it): name the issues too.
  const issues = result.issues?.length ? `: ${result.issues.slice(0, 5).map(describeBundleIssue).join("; ")}` : "";
  const reason = `${result.step}: ${result.reason}${issues}`;
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
  return prisma.proposal.findUniqueOrThrow({ where: { id: proposal.id } });
}
