// Which worker runs each app's live and preview isolate, in the database so every node routes to
// the same worker. Every (re)placement takes a new fence from one sequence in one conditional
// statement: an app's fence never goes back (workers refuse older ones), not even after a stop
// removed its row, and when several nodes try to move an app at once exactly one wins; leases run out unless the
// worker's heartbeats renew them. Reads are cached briefly per node, dropped on local changes.
import type { PrismaClient } from "../db/generated/client";
import type { AppTarget } from "./runtime-contract";

export type AppPlacement = { appId: string; target: AppTarget; workerId: string; deploymentId: string; fence: number; leaseExpiresAt: Date };

export type AppPlacements = {
  find(appId: string, target: AppTarget): Promise<AppPlacement | null>;
  /**
   * Places the app for a deploy or start under a new fence, in one statement: it stays on its
   * worker when that one is in `liveWorkers`, else goes to `workerId`. When the worker it is on is
   * gone but its lease has not run out `graceMs` ago, that worker may still be serving: nothing
   * changes and the result is null.
   */
  acquire(options: { appId: string; target: AppTarget; workerId: string; deploymentId: string; liveWorkers: string[]; graceMs: number }): Promise<{ placement: AppPlacement; previousWorkerId: string | null } | null>;
  /** Places the app on `workerId` only if nothing places it yet; null when something does. */
  claim(options: { appId: string; target: AppTarget; workerId: string; deploymentId: string }): Promise<AppPlacement | null>;
  /** Moves `placement` (as read, fence included) to `workerId`; null when another node moved or changed it first. */
  move(options: { placement: AppPlacement; workerId: string }): Promise<AppPlacement | null>;
  /** Renews the leases of what a worker reports running under the current fence; returns those. */
  renew(options: { workerId: string; apps: { appId: string; target: AppTarget; fence: number }[] }): Promise<{ appId: string; target: AppTarget; fence: number }[]>;
  /** Placements whose lease ran out more than `graceMs` ago: their worker stopped serving them. */
  expired(graceMs: number): Promise<AppPlacement[]>;
  remove(appId: string, target: AppTarget, fence?: number): Promise<void>;
  ofWorker(workerId: string): Promise<AppPlacement[]>;
  /** Placements per worker (the apps load used to pick the least loaded one). */
  loadByWorker(): Promise<Map<string, number>>;
  /** Every placement, with the username of the app's owner (a preview acts for its owner only). */
  all(): Promise<(AppPlacement & { ownerUsername: string })[]>;
  forgetCached(appId: string, target: AppTarget): void;
};

export function createAppPlacements(deps: { prisma: PrismaClient; leaseMs: number; cacheMs?: number; now?: () => number }): AppPlacements {
  const { prisma } = deps;
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 1000;
  const cache = new Map<string, { placement: AppPlacement | null; at: number }>();
  /** Counts this node's changes, so a read that started before one does not cache its result. */
  let changes = 0;
  const keyOf = (appId: string, target: AppTarget) => `${appId}:${target}`;
  const leaseEnd = () => new Date(now() + deps.leaseMs);
  type PlacementRow = { appId: string; target: string; workerId: string; deploymentId: string; fence: number; leaseExpiresAt: Date };
  const toPlacement = (row: PlacementRow): AppPlacement => ({
    appId: row.appId,
    target: row.target as AppTarget,
    workerId: row.workerId,
    deploymentId: row.deploymentId,
    fence: row.fence,
    leaseExpiresAt: row.leaseExpiresAt,
  });
  const remember = (placement: AppPlacement) => {
    changes++;
    cache.set(keyOf(placement.appId, placement.target), { placement, at: now() });
    return placement;
  };

  return {
    async find(appId, target) {
      const cached = cache.get(keyOf(appId, target));
      if (cached && now() - cached.at < cacheMs) return cached.placement;
      const changesBefore = changes;
      const row = await prisma.appPlacement.findUnique({ where: { appId_target: { appId, target } } });
      const placement = row && toPlacement(row);
      // A read that raced with a change on this node would cache what was just replaced.
      if (changes === changesBefore) cache.set(keyOf(appId, target), { placement, at: now() });
      return placement;
    },
    async acquire(options) {
      const lapsedBefore = new Date(now() - options.graceMs);
      // "previous" reads the row as it was before this statement (for the caller's log and rollback).
      const [row] = await prisma.$queryRaw<(PlacementRow & { previousWorkerId: string | null })[]>`
        WITH previous AS (SELECT "workerId" FROM "AppPlacement" WHERE "appId" = ${options.appId} AND "target" = ${options.target})
        INSERT INTO "AppPlacement" ("appId", "target", "workerId", "deploymentId", "fence", "leaseExpiresAt", "updatedAt")
        VALUES (${options.appId}, ${options.target}, ${options.workerId}, ${options.deploymentId}, nextval('"AppPlacement_fence_seq"'), ${leaseEnd()}, now())
        ON CONFLICT ("appId", "target") DO UPDATE SET
          "workerId" = CASE WHEN "AppPlacement"."workerId" = ANY(${options.liveWorkers}::text[]) THEN "AppPlacement"."workerId" ELSE EXCLUDED."workerId" END,
          "deploymentId" = EXCLUDED."deploymentId", "fence" = EXCLUDED."fence", "leaseExpiresAt" = EXCLUDED."leaseExpiresAt", "updatedAt" = now()
        WHERE "AppPlacement"."workerId" = ANY(${options.liveWorkers}::text[]) OR "AppPlacement"."leaseExpiresAt" <= ${lapsedBefore}
        RETURNING "appId", "target", "workerId", "deploymentId", "fence", "leaseExpiresAt", (SELECT "workerId" FROM previous) AS "previousWorkerId"`;
      if (!row) return null;
      return { placement: remember(toPlacement(row)), previousWorkerId: row.previousWorkerId };
    },
    async claim(options) {
      const [row] = await prisma.$queryRaw<PlacementRow[]>`
        INSERT INTO "AppPlacement" ("appId", "target", "workerId", "deploymentId", "fence", "leaseExpiresAt", "updatedAt")
        VALUES (${options.appId}, ${options.target}, ${options.workerId}, ${options.deploymentId}, nextval('"AppPlacement_fence_seq"'), ${leaseEnd()}, now())
        ON CONFLICT ("appId", "target") DO NOTHING
        RETURNING "appId", "target", "workerId", "deploymentId", "fence", "leaseExpiresAt"`;
      return row ? remember(toPlacement(row)) : null;
    },
    async move({ placement, workerId }) {
      const leaseExpiresAt = leaseEnd();
      const moved = await prisma.$queryRaw<{ fence: number }[]>`
        UPDATE "AppPlacement" SET "workerId" = ${workerId}, "fence" = nextval('"AppPlacement_fence_seq"'), "leaseExpiresAt" = ${leaseExpiresAt}, "updatedAt" = now()
        WHERE "appId" = ${placement.appId} AND "target" = ${placement.target} AND "fence" = ${placement.fence}
        RETURNING "fence"`;
      cache.delete(keyOf(placement.appId, placement.target));
      if (moved.length !== 1) return null;
      return remember({ ...placement, workerId, fence: moved[0]!.fence, leaseExpiresAt });
    },
    async renew({ workerId, apps }) {
      if (!apps.length) return [];
      const renewed = await prisma.appPlacement.updateMany({
        where: { workerId, OR: apps.map((app) => ({ appId: app.appId, target: app.target, fence: app.fence })) },
        data: { leaseExpiresAt: leaseEnd() },
      });
      if (renewed.count === apps.length) return apps;
      // Some moved away meanwhile: answer only for those still placed here under that fence.
      const rows = await prisma.appPlacement.findMany({ where: { workerId, OR: apps.map((app) => ({ appId: app.appId, target: app.target, fence: app.fence })) } });
      return rows.map((row) => ({ appId: row.appId, target: row.target as AppTarget, fence: row.fence }));
    },
    async expired(graceMs) {
      const rows = await prisma.appPlacement.findMany({ where: { leaseExpiresAt: { lt: new Date(now() - graceMs) } } });
      return rows.map(toPlacement);
    },
    async remove(appId, target, fence) {
      changes++;
      cache.delete(keyOf(appId, target));
      await prisma.appPlacement.deleteMany({ where: { appId, target, ...(fence !== undefined && { fence }) } });
    },
    async ofWorker(workerId) {
      return (await prisma.appPlacement.findMany({ where: { workerId } })).map(toPlacement);
    },
    async loadByWorker() {
      const groups = await prisma.appPlacement.groupBy({ by: ["workerId"], _count: { _all: true } });
      return new Map(groups.map((group) => [group.workerId, group._count._all]));
    },
    async all() {
      const rows = await prisma.appPlacement.findMany({ include: { app: { select: { owner: { select: { username: true } } } } } });
      return rows.map((row) => ({ ...toPlacement(row), ownerUsername: row.app.owner.username }));
    },
    forgetCached(appId, target) {
      cache.delete(keyOf(appId, target));
    },
  };
}
