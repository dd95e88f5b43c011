// Staff deploy a CCF set_js_app proposal directly (POST /api/apps/<appId>/deploy), as CCF
// operators script governance. It still leaves the same trail as reviewed work: a proposal record
// accepted by that staff member, the deploy steps, and audit entries with the bundle hash.
import type { Prisma } from "../db/generated/client";
import { bundleHash } from "../apps/bundle";
import { parseCcfProposal } from "../apps/ccf-proposal";
import type { DeployResult, DeployStep } from "../apps/runtime-contract";
import { AppError } from "../errors";
import { recordAudit } from "./audit-log";
import { acceptAndApplyProposal } from "./apply-proposal";
import { permissionsOf } from "./proposal-checks";
import { isStaff, type Actor, type ReviewDeps } from "./review-deps";

export async function deployAsStaff(options: { deps: ReviewDeps; actor: Actor; appId: string; proposal: unknown }): Promise<DeployResult & { proposalId: string }> {
  const { deps, actor } = options;
  if (!isStaff(actor)) throw new AppError("FORBIDDEN", "Only staff deploy apps");
  const { bundle, disableBytecodeCache } = parseCcfProposal(options.proposal);
  const app = await deps.prisma.app.findUnique({ where: { id: options.appId } });
  if (!app) throw new AppError("NOT_FOUND", `No app ${options.appId}`);
  const contentHash = bundleHash(bundle);
  const proposal = await deps.prisma.proposal.create({
    data: {
      appId: app.id,
      authorId: actor.userId,
      title: `Deployed by ${actor.username} through the API`,
      bundle: bundle as unknown as Prisma.InputJsonValue,
      contentHash,
      disableBytecodeCache,
      permissions: permissionsOf(bundle),
      baseDeploymentId: app.activeDeploymentId,
    },
  });
  await recordAudit({ prisma: deps.prisma, actor, action: "proposal.submitted", appId: app.id, proposalId: proposal.id, bundleHash: contentHash, details: { number: proposal.number, source: "staff-api" } });
  const applied = await acceptAndApplyProposal({ deps, actor, proposal, reason: "staff deploy through the API", app });
  if (applied.state === "ACCEPTED" && applied.deploymentId) return { ok: true, deploymentId: applied.deploymentId, contentHash, proposalId: proposal.id };
  return { ok: false, step: (applied.deployStep ?? "validating") as DeployStep, reason: applied.stateReason ?? "The deploy failed", proposalId: proposal.id };
}
