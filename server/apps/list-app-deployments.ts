import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { loadEditableApp } from "./app-access";
import { listDeployments } from "./create-deployment";

/** An app's deployments, newest first, marking the active one. */
export async function listAppDeployments(options: { prisma: PrismaClient; caller: Caller | null; appId: string }) {
  const app = await loadEditableApp(options);
  const deployments = await listDeployments({ prisma: options.prisma, appId: app.id });
  return deployments.map((deployment) => ({ ...deployment, active: deployment.id === app.activeDeploymentId }));
}
