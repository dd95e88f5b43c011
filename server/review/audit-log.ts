// The audit log: one append-only row per review or operations action (who, what, when, which
// bundle). Rows are never updated or deleted (a database trigger refuses it too).
import type { Prisma, PrismaClient } from "../db/generated/client";
import { z } from "zod";

export type AuditActor = { userId: string; username: string } | null;

/** Every action the audit log records; the staff page filters on these. */
export const auditActions = [
  "proposal.submitted",
  "proposal.withdrawn",
  "proposal.voted",
  "proposal.commented",
  "proposal.accepted",
  "proposal.rejected",
  "proposal.dropped",
  "proposal.deployed",
  "proposal.failed",
  "proposal.previewed",
  "app.rolled-back",
  "app.started",
  "app.stopped",
  "app.restarted",
  "app.deleted",
] as const;
export type AuditAction = (typeof auditActions)[number];

type Db = PrismaClient | Prisma.TransactionClient;

export async function recordAudit(options: {
  prisma: Db;
  actor: AuditActor;
  action: AuditAction;
  appId?: string | null;
  proposalId?: string | null;
  deploymentId?: string | null;
  bundleHash?: string | null;
  details?: Record<string, unknown>;
}): Promise<void> {
  await options.prisma.auditLogEntry.create({
    data: {
      actorId: options.actor?.userId ?? null,
      actorName: options.actor?.username ?? "system",
      action: options.action,
      appId: options.appId ?? null,
      proposalId: options.proposalId ?? null,
      deploymentId: options.deploymentId ?? null,
      bundleHash: options.bundleHash ?? null,
      details: (options.details ?? {}) as Prisma.InputJsonValue,
    },
  });
}

export const auditFilterSchema = z.object({
  appId: z.string().trim().max(40).optional(),
  actor: z.string().trim().max(24).optional(),
  action: z.enum(auditActions).optional(),
  proposalId: z.string().trim().max(40).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Entries older than this id (the page before). */
  before: z.int32().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditFilter = z.input<typeof auditFilterSchema>;

/** Newest first, filtered; `nextBefore` pages further back. */
export async function listAuditLog(options: { prisma: PrismaClient; filter: z.output<typeof auditFilterSchema> }) {
  const { filter } = options;
  const where: Prisma.AuditLogEntryWhereInput = {
    ...(filter.appId ? { appId: filter.appId } : {}),
    ...(filter.actor ? { actorName: filter.actor.toLowerCase() } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.proposalId ? { proposalId: filter.proposalId } : {}),
    ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
    ...(filter.before ? { id: { lt: filter.before } } : {}),
  };
  const rows = await options.prisma.auditLogEntry.findMany({ where, orderBy: { id: "desc" }, take: filter.limit + 1 });
  const entries = rows.slice(0, filter.limit);
  return { entries, nextBefore: rows.length > filter.limit ? entries[entries.length - 1]!.id : null };
}
