import { z } from "zod";
import { services } from "../../services";
import { createTRPCRouter, protectedProcedure, staffProcedure } from "../init";

const hostInput = z.object({ host: z.string().trim().min(1).max(260) });

/** The render farm: pairing thin devices (members) and the render allow list (staff). */
export const renderRouter = createTRPCRouter({
  /** Members: sign in the thin device showing this code (it receives an API token of yours). */
  pairApprove: protectedProcedure
    .input(z.object({ code: z.string().trim().min(4, "Enter the code shown on the device").max(20) }))
    .mutation(({ ctx, input }) => services().render.pairApprove(ctx.caller, input.code)),
  /** Members: their render sessions (staff: all). */
  sessions: protectedProcedure.query(({ ctx }) => services().render.list(ctx.caller)),
  /** Staff: hosts sessions may load besides Canopy's own pages. */
  allowedHosts: staffProcedure.query(() => services().render.allowList.list()),
  allowHost: staffProcedure.input(hostInput).mutation(({ ctx, input }) => services().render.allowList.add(input.host, ctx.caller.username)),
  disallowHost: staffProcedure.input(hostInput).mutation(({ input }) => services().render.allowList.remove(input.host)),
});
