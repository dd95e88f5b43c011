// Staff roll an app back to any earlier deployment in one action. It is recorded like a
// proposal (kind ROLLBACK, accepted by the staff member who asked) and deployed the same way, so
// the history of what ran when stays in one list.
import type { Prisma } from "../db/generated/client";
import type { StoredBundle } from "../apps/bundle";
import { AppError } from "../errors";
import { recordAudit } from "./audit-log";
import { acceptAndApplyProposal } from "./apply-proposal";
import { permissionsOf } from "./proposal-checks";
import { isStaff, type Actor, type ReviewDeps } from "./review-deps";

export async function rollbackApp(options: { deps: ReviewDeps; actor: Actor; appId: string; deploymentId: string; reason?: string }) {
  const { deps, actor } = options;
  const { prisma } = deps;
  if (!isStaff(actor)) throw new AppError("FORBIDDEN", "Only staff roll apps back");
  const app = await prisma.app.findUnique({ where: { id: options.appId } });
  if (!app) throw new AppError("NOT_FOUND", "No such app");
  const target = await prisma.appDeployment.findFirst({ where: { id: options.deploymentId, appId: app.id } });
  if (!target) throw new AppError("NOT_FOUND", "No such deployment of this app");
  if (target.id === app.activeDeploymentId) throw new AppError("CONFLICT", `Deployment #${target.number} is already the active one`);

  const bundle = target.bundle as unknown as StoredBundle;
  const proposal = await prisma.proposal.create({
    data: {
      appId: app.id,
      kind: "ROLLBACK",
      authorId: actor.userId,
      title: `Roll back to deployment #${target.number}`,
      changelog: options.reason ?? "",
      bundle: bundle as unknown as Prisma.InputJsonValue,
      contentHash: target.contentHash,
      disableBytecodeCache: target.disableBytecodeCache,
      permissions: permissionsOf(bundle),
      baseDeploymentId: app.activeDeploymentId,
      rollbackOfDeploymentId: target.id,
    },
  });
  await recordAudit({
    prisma,
    actor,
    action: "app.rolled-back",
    appId: app.id,
    proposalId: proposal.id,
    deploymentId: target.id,
    bundleHash: target.contentHash,
    details: { toDeployment: target.number, fromDeploymentId: app.activeDeploymentId, reason: options.reason ?? "" },
  });
  return acceptAndApplyProposal({ deps, actor, proposal, reason: `rollback to deployment #${target.number}`, app });
}
