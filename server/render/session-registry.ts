// The server's view of render sessions: who owns each, which worker hosts it, its settings. In
// the database, so every node of a cluster serves every session (the worker holds the browser;
// frames go from the worker straight to the nodes that have viewers, see service.ts).
import type { PrismaClient } from "../db/generated/client";
import type { RenderFrame, RenderPageInfo } from "../internal/protocol";

export type CachedFrame = RenderFrame & {
  /** Filled on first use by a client that asked for Jiomosa's base64 form. */
  base64?: string;
};

export type RenderSessionRecord = {
  id: string;
  ownerId: string;
  workerId: string;
  createdAt: number;
  lastActivity: number;
  width: number;
  height: number;
  quality: number;
  fps: number;
  adaptive: boolean;
  pageInfo: RenderPageInfo;
  subscribers: number;
};

export type RenderSessionChange = Partial<Pick<RenderSessionRecord, "lastActivity" | "quality" | "fps" | "adaptive" | "pageInfo" | "subscribers">>;

/** A creation whose node died before it finished stops holding its owner's place after this (at the next sweep). */
const reservationTtlMs = 2 * 60_000;

type Row = {
  id: string;
  ownerId: string;
  workerId: string;
  createdAt: Date;
  lastActivity: Date;
  width: number;
  height: number;
  quality: number;
  fps: number;
  adaptive: boolean;
  pageInfo: unknown;
  subscribers: number;
};

function toRecord(row: Row): RenderSessionRecord {
  return { ...row, createdAt: row.createdAt.getTime(), lastActivity: row.lastActivity.getTime(), pageInfo: row.pageInfo as RenderPageInfo };
}

function toColumns(change: RenderSessionChange) {
  const { lastActivity, pageInfo, ...rest } = change;
  return { ...rest, ...(lastActivity !== undefined && { lastActivity: new Date(lastActivity) }), ...(pageInfo !== undefined && { pageInfo: { ...pageInfo } }) };
}

export type RenderSessionStore = ReturnType<typeof createRenderSessionStore>;

export function createRenderSessionStore(deps: { prisma: PrismaClient }) {
  const table = deps.prisma.renderSession;
  const ready = { ready: true } as const;

  return {
    async get(id: string): Promise<RenderSessionRecord | undefined> {
      const row = await table.findFirst({ where: { id, ...ready } });
      return row ? toRecord(row) : undefined;
    },

    async ofOwner(ownerId: string): Promise<RenderSessionRecord[]> {
      return (await table.findMany({ where: { ownerId, ...ready }, orderBy: { createdAt: "asc" } })).map(toRecord);
    },

    async all(): Promise<RenderSessionRecord[]> {
      return (await table.findMany({ where: ready, orderBy: { createdAt: "asc" } })).map(toRecord);
    },

    async ofWorker(workerId: string): Promise<RenderSessionRecord[]> {
      return (await table.findMany({ where: { workerId, ...ready } })).map(toRecord);
    },

    /** Sessions per worker, the ones being created included (they are about to load it). */
    async countsByWorker(): Promise<Map<string, number>> {
      const groups = await table.groupBy({ by: ["workerId"], _count: { _all: true } });
      return new Map(groups.map((group) => [group.workerId, group._count._all]));
    },

    count: () => table.count({ where: ready }),

    /**
     * Holds one of the owner's `limit` places for session `id` (not yet visible) until it is
     * activated or discarded; false when none is left. Counted after the insert, so concurrent
     * creations on any nodes never pass the limit together (at worst both are refused).
     */
    async reserve(options: { id: string; ownerId: string; limit: number; settings: { width: number; height: number; quality: number; fps: number; adaptive: boolean } }): Promise<boolean> {
      await table.create({ data: { id: options.id, ownerId: options.ownerId, workerId: "", ...options.settings, pageInfo: { url: "about:blank", title: "" } } });
      const held = await table.count({ where: { ownerId: options.ownerId } });
      if (held <= options.limit) return true;
      await table.deleteMany({ where: { id: options.id } });
      return false;
    },

    /**
     * Drops the reservations whose creation never finished within their lifetime (its node died):
     * run by every node's periodic sweep, so a stale one holds its owner's place a sweep longer at most.
     */
    async dropStaleReservations(): Promise<void> {
      await table.deleteMany({ where: { ready: false, createdAt: { lt: new Date(Date.now() - reservationTtlMs) } } });
    },

    /** The reserved session exists on `workerId` now: visible to every node. */
    async activate(id: string, workerId: string, values: Omit<RenderSessionRecord, "id" | "workerId" | "subscribers">): Promise<RenderSessionRecord> {
      const { createdAt, lastActivity, pageInfo, ...settings } = values;
      const row = await table.update({
        where: { id },
        data: { ...settings, workerId, ready: true, createdAt: new Date(createdAt), lastActivity: new Date(lastActivity), pageInfo: { ...pageInfo } },
      });
      return toRecord(row);
    },

    /** A worker reports a session no node knows (e.g. the database row was lost): keep it. */
    async adopt(record: RenderSessionRecord): Promise<void> {
      const { createdAt, lastActivity, pageInfo, ...rest } = record;
      const data = { ...rest, ready: true, createdAt: new Date(createdAt), lastActivity: new Date(lastActivity), pageInfo: { ...pageInfo } };
      await table.upsert({ where: { id: record.id }, create: data, update: {} });
    },

    async discard(id: string): Promise<void> {
      await table.deleteMany({ where: { id } });
    },

    async update(id: string, change: RenderSessionChange): Promise<void> {
      await table.updateMany({ where: { id }, data: toColumns(change) });
    },

    /** Removes the session; its record when this call removed it (so exactly one node reports the end). */
    async remove(id: string): Promise<RenderSessionRecord | undefined> {
      const rows = await deps.prisma.$queryRaw<Row[]>`DELETE FROM "RenderSession" WHERE id = ${id} AND ready RETURNING *`;
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
  };
}
