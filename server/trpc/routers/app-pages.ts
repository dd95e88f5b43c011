import { z } from "zod";
import { listPagePlacements, listShownPages, setPagePlacements, staffPlacements } from "../../apps/pages/page-state";
import { createTRPCRouter, publicProcedure, staffProcedure } from "../init";

/** Published app pages by placement (public), and where staff allow each page to show. */
export const appPagesRouter = createTRPCRouter({
  shown: publicProcedure
    .input(z.object({ placement: z.enum(["page", "channel-tab", "nav", "chat-card"]) }))
    .query(({ ctx, input }) => listShownPages({ prisma: ctx.prisma, placement: input.placement })),
  placements: staffProcedure.query(({ ctx }) => listPagePlacements({ prisma: ctx.prisma, caller: ctx.caller })),
  setPlacements: staffProcedure
    .input(z.object({ appId: z.string().min(1).max(64), pageId: z.string().min(1).max(40), allowed: z.array(z.enum(staffPlacements)).max(3) }))
    .mutation(({ ctx, input }) => setPagePlacements({ prisma: ctx.prisma, caller: ctx.caller, ...input })),
});
