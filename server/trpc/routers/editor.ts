import { z } from "zod";
import { exportAppZip, importAppZip } from "../../apps/app-zip";
import { createApp } from "../../apps/create-app";
import { appPreviewStatus, startAppPreview, stopAppPreview } from "../../apps/preview-control";
import { appTemplates, templateFiles, templateIds } from "../../apps/templates";
import { services } from "../../services";
import { createTRPCRouter, protectedProcedure } from "../init";

const appRef = z.object({ appId: z.string().min(1).max(64) });

/** The online editor's own calls: templates, ZIP import/export, the preview. Members and up; app access is checked per app. */
export const editorRouter = createTRPCRouter({
  templates: protectedProcedure.query(() => appTemplates.map(({ id, name, description }) => ({ id, name, description }))),
  /** Largest ZIP the import accepts: what fits in one request body as base64. */
  limits: protectedProcedure.query(() => ({ maxZipBytes: Math.floor(((services().env.MAX_BODY_BYTES - 1024) * 3) / 4) })),
  createFromTemplate: protectedProcedure
    .input(z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(80), template: z.enum(templateIds) }))
    .mutation(({ ctx, input }) =>
      createApp({
        prisma: ctx.prisma,
        caller: ctx.caller,
        id: input.id,
        name: input.name,
        message: `Created from the ${input.template} template`,
        files: templateFiles({ templateId: input.template, name: input.name }),
      }),
    ),
  exportZip: protectedProcedure.input(appRef).mutation(({ ctx, input }) => exportAppZip({ prisma: ctx.prisma, caller: ctx.caller, appId: input.appId })),
  importZip: protectedProcedure
    .input(z.object({ id: z.string().min(1).max(64), name: z.string().max(80).optional(), zipBase64: z.string().min(1) }))
    .mutation(({ ctx, input }) => importAppZip({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
  previewStart: protectedProcedure.input(appRef).mutation(({ ctx, input }) => startAppPreview({ prisma: ctx.prisma, runtime: services().apps, caller: ctx.caller, appId: input.appId })),
  previewStop: protectedProcedure.input(appRef).mutation(({ ctx, input }) => stopAppPreview({ prisma: ctx.prisma, runtime: services().apps, caller: ctx.caller, appId: input.appId })),
  previewStatus: protectedProcedure.input(appRef).query(({ ctx, input }) => appPreviewStatus({ prisma: ctx.prisma, runtime: services().apps, caller: ctx.caller, appId: input.appId })),
});
