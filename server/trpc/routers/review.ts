// Deployment proposals (developers submit, staff vote), the audit log and staff operations on
// apps (start/stop/restart are appRuntime's, audited through server/review/app-operations.ts). Roles: developers submit/withdraw/comment on their own; staff read all, vote, roll back,
// operate apps and read the audit log; every signed-in user reads their notifications.
import { z } from "zod";
import { appIdSchema } from "../../apps/manifest";
import { auditFilterSchema, listAuditLog } from "../../review/audit-log";
import { listAppDeploymentsForStaff, listAppOperations } from "../../review/app-operations";
import { commentOnProposal } from "../../review/comment-on-proposal";
import { listNotifications, markNotificationsRead } from "../../review/notifications";
import { exportProposalCcf, getProposal, listProposals, previewProposal } from "../../review/read-proposals";
import { reviewDeps } from "../../review/review-services";
import { rollbackApp } from "../../review/rollback-app";
import { submitProposal } from "../../review/submit-proposal";
import { voteOnProposal } from "../../review/vote-on-proposal";
import { withdrawProposal } from "../../review/withdraw-proposal";
import { createTRPCRouter, developerProcedure, protectedProcedure, staffProcedure } from "../init";

const proposalId = z.object({ proposalId: z.string().trim().min(1).max(40) });
const proposalStates = ["OPEN", "ACCEPTED", "REJECTED", "WITHDRAWN", "DROPPED", "FAILED"] as const;
const proposalText = {
  title: z.string().trim().min(1, "Give the proposal a title").max(120),
  changelog: z.string().max(10_000).default(""),
};

export const reviewRouter = createTRPCRouter({
  /** Developer: propose the app's current draft. */
  submitDraft: developerProcedure
    .input(z.object({ appId: appIdSchema, ...proposalText }))
    .mutation(({ ctx, input }) =>
      submitProposal({ deps: reviewDeps(), actor: ctx.caller, appId: input.appId, title: input.title, changelog: input.changelog, source: { kind: "draft" } }),
    ),
  /** Developer: propose a bundle in CCF's set_js_app form (what `npx canopy propose` sends). */
  submitCcf: developerProcedure
    .input(z.object({ appId: appIdSchema, ...proposalText, proposal: z.unknown() }))
    .mutation(({ ctx, input }) =>
      submitProposal({ deps: reviewDeps(), actor: ctx.caller, appId: input.appId, title: input.title, changelog: input.changelog, source: { kind: "ccf", proposal: input.proposal } }),
    ),
  withdraw: protectedProcedure.input(proposalId).mutation(({ ctx, input }) => withdrawProposal({ deps: reviewDeps(), actor: ctx.caller, proposalId: input.proposalId })),
  /** Staff list all (filtered); others list their own. */
  list: protectedProcedure
    .input(z.object({ state: z.enum(proposalStates).optional(), appId: appIdSchema.optional(), mine: z.boolean().optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listProposals({ deps: reviewDeps(), actor: ctx.caller, ...input })),
  get: protectedProcedure.input(proposalId).query(({ ctx, input }) => getProposal({ deps: reviewDeps(), actor: ctx.caller, proposalId: input.proposalId })),
  exportCcf: protectedProcedure.input(proposalId).query(({ ctx, input }) => exportProposalCcf({ deps: reviewDeps(), actor: ctx.caller, proposalId: input.proposalId })),
  comment: protectedProcedure
    .input(proposalId.extend({ body: z.string().trim().min(1, "Write a comment").max(5000), path: z.string().max(200).optional() }))
    .mutation(({ ctx, input }) => commentOnProposal({ deps: reviewDeps(), actor: ctx.caller, proposalId: input.proposalId, body: input.body, path: input.path })),
  vote: staffProcedure
    .input(proposalId.extend({ approve: z.boolean(), comment: z.string().max(5000).optional() }))
    .mutation(({ ctx, input }) => voteOnProposal({ deps: reviewDeps(), actor: ctx.caller, proposalId: input.proposalId, approve: input.approve, comment: input.comment })),
  preview: protectedProcedure.input(proposalId).mutation(({ ctx, input }) => previewProposal({ deps: reviewDeps(), actor: ctx.caller, proposalId: input.proposalId })),

  rollback: staffProcedure
    .input(z.object({ appId: appIdSchema, deploymentId: z.string().trim().min(1).max(40), reason: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => rollbackApp({ deps: reviewDeps(), actor: ctx.caller, ...input })),
  apps: staffProcedure.query(() => listAppOperations({ deps: reviewDeps() })),
  deployments: staffProcedure.input(z.object({ appId: appIdSchema })).query(({ input }) => listAppDeploymentsForStaff({ deps: reviewDeps(), appId: input.appId })),
  audit: staffProcedure.input(auditFilterSchema).query(({ ctx, input }) => listAuditLog({ prisma: ctx.prisma, filter: input })),

  notifications: protectedProcedure
    .input(z.object({ before: z.int32().positive().optional(), limit: z.number().int().min(1).max(100).default(30) }))
    .query(({ ctx, input }) => listNotifications({ prisma: ctx.prisma, userId: ctx.caller.userId, ...input })),
  markRead: protectedProcedure
    .input(z.object({ ids: z.array(z.int32().positive()).max(200).optional() }))
    .mutation(({ ctx, input }) => markNotificationsRead({ prisma: ctx.prisma, userId: ctx.caller.userId, ids: input.ids })),
});
