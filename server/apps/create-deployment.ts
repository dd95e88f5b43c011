// Deployments are immutable, numbered snapshots of a bundle. Creating one does not run it: the
// runtime's activateDeployment does (see deploy-bundle.ts).
import type { PrismaClient } from "../db/generated/client";
import { isUniqueViolation } from "../db/errors";
import { AppError } from "../errors";
import { bundleHash, type StoredBundle } from "./bundle";

export type DeploymentSource = "deploy" | "rollback";

export async function createDeployment(options: {
  prisma: PrismaClient;
  appId: string;
  bundle: StoredBundle;
  disableBytecodeCache?: boolean;
  actorId: string | null;
  source?: DeploymentSource;
}) {
  const { prisma, appId, bundle } = options;
  const contentHash = bundleHash(bundle);
  // Two deployments of one app at the same moment race for the next number; the loser retries.
  for (let attempt = 0; attempt < 5; attempt++) {
    const last = await prisma.appDeployment.findFirst({ where: { appId }, orderBy: { number: "desc" }, select: { number: true } });
    try {
      return await prisma.appDeployment.create({
        data: {
          appId,
          number: (last?.number ?? 0) + 1,
          contentHash,
          bundle: bundle as object,
          disableBytecodeCache: options.disableBytecodeCache ?? false,
          createdById: options.actorId,
          source: options.source ?? "deploy",
        },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new AppError("CONFLICT", "Too many deployments of this app at once; try again");
}

export async function listDeployments(options: { prisma: PrismaClient; appId: string }) {
  return options.prisma.appDeployment.findMany({
    where: { appId: options.appId },
    orderBy: { number: "desc" },
    select: { id: true, number: true, contentHash: true, source: true, createdById: true, createdAt: true, disableBytecodeCache: true },
    take: 200,
  });
}

export async function readDeployment(options: { prisma: PrismaClient; appId: string; deploymentId: string }) {
  const deployment = await options.prisma.appDeployment.findFirst({ where: { id: options.deploymentId, appId: options.appId } });
  if (!deployment) throw new AppError("NOT_FOUND", `No deployment ${options.deploymentId} of ${options.appId}`);
  return { ...deployment, bundle: deployment.bundle as unknown as StoredBundle };
}
