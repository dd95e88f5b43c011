import { z } from "zod";
import { getApp, listApps } from "../../apps/list-apps";
import { createApp } from "../../apps/create-app";
import { changeAppFiles, fileChangeSchema } from "../../apps/change-app-files";
import { listAppFiles, readAppFile } from "../../apps/read-app-files";
import { listFileRevisions, readFileRevision } from "../../apps/file-history";
import { restoreFileRevision } from "../../apps/restore-file-revision";
import { validateDraft } from "../../apps/validate-draft";
import { listAppDeployments } from "../../apps/list-app-deployments";
import { filePathSchema } from "../../apps/bundle";
import { fileInputSchema } from "../../apps/file-content";
import { manifestJsonSchema } from "../../apps/manifest";
import { deleteAppCompletely } from "../../review/delete-app-completely";
import { reviewDeps } from "../../review/review-services";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../init";

const appRef = z.object({ appId: z.string().min(1).max(64) });
const expectedDraftVersion = z.int32().min(0).optional();

/** Apps and their draft files: any member may create apps; owners edit theirs, staff every app. */
export const appsRouter = createTRPCRouter({
  list: protectedProcedure
    .input(z.object({ scope: z.enum(["mine", "all"]).default("mine") }).default({ scope: "mine" }))
    .query(({ ctx, input }) => listApps({ prisma: ctx.prisma, caller: ctx.caller, scope: input.scope })),
  get: protectedProcedure.input(appRef).query(({ ctx, input }) => getApp({ prisma: ctx.prisma, caller: ctx.caller, appId: input.appId })),
  create: protectedProcedure
    .input(
      z.object({
        id: z.string().min(1).max(64),
        name: z.string().min(1).max(80),
        description: z.string().max(2000).optional(),
        files: z.array(fileInputSchema).max(500).default([]),
      }),
    )
    .mutation(({ ctx, input }) => createApp({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
  delete: protectedProcedure
    .input(appRef.extend({ confirmId: z.string().max(64) }))
    .mutation(({ ctx, input }) => deleteAppCompletely({ deps: reviewDeps(), actor: ctx.caller, appId: input.appId, confirmId: input.confirmId })),
  files: protectedProcedure.input(appRef).query(({ ctx, input }) => listAppFiles({ prisma: ctx.prisma, caller: ctx.caller, appId: input.appId })),
  readFile: protectedProcedure
    .input(appRef.extend({ path: filePathSchema }))
    .query(({ ctx, input }) => readAppFile({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
  /** Writes, deletes and renames as one revision set; CONFLICT (with the newer content) when the draft moved on. */
  changeFiles: protectedProcedure
    .input(appRef.extend({ changes: z.array(fileChangeSchema).min(1).max(500), message: z.string().max(500).optional(), expectedDraftVersion }))
    .mutation(({ ctx, input }) => changeAppFiles({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
  history: protectedProcedure
    .input(appRef.extend({ path: filePathSchema.optional(), beforeId: z.int32().positive().optional(), limit: z.number().int().min(1).max(200).optional() }))
    .query(({ ctx, input }) => listFileRevisions({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
  readRevision: protectedProcedure
    .input(appRef.extend({ revisionId: z.int32().positive() }))
    .query(({ ctx, input }) => readFileRevision({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
  restoreRevision: protectedProcedure
    .input(appRef.extend({ revisionId: z.int32().positive(), expectedDraftVersion }))
    .mutation(({ ctx, input }) => restoreFileRevision({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
  /** Bundle validation of the current draft: every issue with its file, line and field. */
  validate: protectedProcedure.input(appRef).query(({ ctx, input }) => validateDraft({ prisma: ctx.prisma, caller: ctx.caller, appId: input.appId })),
  deployments: protectedProcedure.input(appRef).query(({ ctx, input }) => listAppDeployments({ prisma: ctx.prisma, caller: ctx.caller, appId: input.appId })),
  /** The JSON Schema of app.json, for the editor. */
  manifestSchema: publicProcedure.query(() => manifestJsonSchema()),
});
