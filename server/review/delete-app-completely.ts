// Deleting an app reaches past storage: the runtime forgets it, its open proposals are Dropped
// (their authors are told) and the audit log records who deleted it.
import { deleteApp } from "../apps/delete-app";
import { recordAudit } from "./audit-log";
import { dropProposalsOfDeletedApp } from "./drop-proposals";
import type { Actor, ReviewDeps } from "./review-deps";

export async function deleteAppCompletely(options: { deps: ReviewDeps; actor: Actor; appId: string; confirmId: string }) {
  const { deps, actor } = options;
  const active = await deps.prisma.app.findUnique({ where: { id: options.appId }, select: { activeDeployment: { select: { id: true, contentHash: true } } } });
  const deleted = await deleteApp({ prisma: deps.prisma, caller: actor, appId: options.appId, confirmId: options.confirmId });
  await recordAudit({
    prisma: deps.prisma,
    actor,
    action: "app.deleted",
    appId: deleted.id,
    deploymentId: active?.activeDeployment?.id ?? null,
    bundleHash: active?.activeDeployment?.contentHash ?? null,
  });
  await deps.runtime.removeApp({ appId: deleted.id });
  const dropped = await dropProposalsOfDeletedApp({ deps, actor, appId: deleted.id });
  return { ...deleted, droppedProposals: dropped };
}
