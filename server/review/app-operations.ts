// Staff operations on running apps, audited: start, stop, restart, and the overview of every
// app's state and resource use from the runtime.
import { listDeployments } from "../apps/create-deployment";
import type { AppRuntimeStatus } from "../apps/runtime-contract";
import { AppError } from "../errors";
import { recordAudit } from "./audit-log";
import type { Actor, ReviewDeps } from "./review-deps";

export type AppOperation = "start" | "stop" | "restart";

export async function operateApp(options: { deps: ReviewDeps; actor: Actor; appId: string; operation: AppOperation; reason?: string }) {
  const { deps, actor } = options;
  const app = await deps.prisma.app.findUnique({ where: { id: options.appId }, select: { id: true, activeDeploymentId: true } });
  if (!app) throw new AppError("NOT_FOUND", "No such app");
  if (options.operation !== "stop" && !app.activeDeploymentId) throw new AppError("CONFLICT", "The app has no deployment to run yet");
  const status =
    options.operation === "start"
      ? await deps.runtime.startApp({ appId: app.id, actorId: actor.userId })
      : options.operation === "stop"
        ? await deps.runtime.stopApp({ appId: app.id, actorId: actor.userId, reason: options.reason })
        : await deps.runtime.restartApp({ appId: app.id, actorId: actor.userId });
  const action = options.operation === "start" ? "app.started" : options.operation === "stop" ? "app.stopped" : "app.restarted";
  await recordAudit({ prisma: deps.prisma, actor, action, appId: app.id, deploymentId: app.activeDeploymentId, details: { reason: options.reason ?? "", state: status.state } });
  return status;
}

/** Every app with its deployments' count and the runtime's live status (memory, CPU, violations). */
export async function listAppOperations(options: { deps: ReviewDeps }) {
  const apps = await options.deps.prisma.app.findMany({
    orderBy: { id: "asc" },
    select: {
      id: true,
      name: true,
      runState: true,
      suspendedReason: true,
      owner: { select: { username: true } },
      activeDeployment: { select: { id: true, number: true, contentHash: true, createdAt: true } },
      _count: { select: { deployments: true } },
    },
  });
  return Promise.all(
    apps.map(async (app) => ({
      ...app,
      status: await options.deps.runtime.status({ appId: app.id, target: "live" }).catch((error: unknown): AppRuntimeStatus => ({
        appId: app.id,
        target: "live",
        state: "failed",
        reason: `status unavailable: ${error instanceof Error ? error.message : String(error)}`,
        violations: 0,
      })),
    })),
  );
}

export async function listAppDeploymentsForStaff(options: { deps: ReviewDeps; appId: string }) {
  const app = await options.deps.prisma.app.findUnique({ where: { id: options.appId }, select: { id: true, activeDeploymentId: true } });
  if (!app) throw new AppError("NOT_FOUND", "No such app");
  return { activeDeploymentId: app.activeDeploymentId, deployments: await listDeployments({ prisma: options.deps.prisma, appId: app.id }) };
}
