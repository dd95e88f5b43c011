// Deploying a bundle: validate, store it as the app's next immutable deployment (same content
// hash as an existing one reuses it), then activate it through the runtime.
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { validateBundle, type StoredBundle } from "./bundle";
import { createDeployment, type DeploymentSource } from "./create-deployment";
import type { AppRuntimeControl, DeployResult, DeployStep } from "./runtime-contract";

export async function deployBundle(options: {
  prisma: PrismaClient;
  runtime: AppRuntimeControl;
  appId: string;
  /** The app's owner when the caller has just read the app; otherwise the app is read here. */
  ownerId?: string;
  bundle: StoredBundle;
  disableBytecodeCache: boolean;
  actorId: string | null;
  source?: DeploymentSource;
  onProgress?: (step: DeployStep) => void;
}): Promise<DeployResult> {
  const { prisma, appId, bundle } = options;
  options.onProgress?.("validating");
  const app = options.ownerId !== undefined ? { ownerId: options.ownerId } : await prisma.app.findUnique({ where: { id: appId }, select: { ownerId: true } });
  if (!app) throw new AppError("NOT_FOUND", `No app ${appId}`);
  const { issues } = validateBundle(bundle);
  if (issues.length) return { ok: false, step: "validating", reason: "The bundle is not valid", issues };
  const deployment = await createDeployment({ prisma, appId, bundle, disableBytecodeCache: options.disableBytecodeCache, actorId: options.actorId, source: options.source });
  const known = { ...deployment, bundle, ownerId: app.ownerId };
  const result = await options.runtime.activateDeployment({ appId, deploymentId: deployment.id, actorId: options.actorId, onProgress: options.onProgress, known });
  return result.ok ? { ok: true, deploymentId: deployment.id, contentHash: deployment.contentHash } : result;
}
