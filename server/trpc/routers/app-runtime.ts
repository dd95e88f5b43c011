// Staff control of running apps (start, stop, restart, list with resource use and violations);
// owners may read the status and log of their own app.
import { z } from "zod";
import { AppError } from "../../errors";
import { operateApp } from "../../review/app-operations";
import { reviewDeps } from "../../review/review-services";
import { services } from "../../services";
import { protectedProcedure, staffProcedure, createTRPCRouter } from "../init";

const appInput = z.object({ appId: z.string().min(2).max(40) });
const targetInput = appInput.extend({ target: z.enum(["live", "preview"]).default("live") });

async function requireOwnerOrStaff(prisma: ReturnType<typeof services>["db"]["prisma"], appId: string, caller: { userId: string; role: string }) {
  const app = await prisma.app.findUnique({ where: { id: appId }, select: { ownerId: true } });
  if (!app || (app.ownerId !== caller.userId && caller.role !== "STAFF")) throw new AppError("NOT_FOUND", `No app ${appId}`);
}

export const appRuntimeRouter = createTRPCRouter({
  list: staffProcedure.query(() => services().apps.list()),
  // Audited like every staff action (server/review/app-operations.ts).
  start: staffProcedure.input(appInput).mutation(({ input, ctx }) => operateApp({ deps: reviewDeps(), actor: ctx.caller, appId: input.appId, operation: "start" })),
  stop: staffProcedure
    .input(appInput.extend({ reason: z.string().max(500).optional() }))
    .mutation(({ input, ctx }) => operateApp({ deps: reviewDeps(), actor: ctx.caller, appId: input.appId, operation: "stop", reason: input.reason })),
  restart: staffProcedure.input(appInput).mutation(({ input, ctx }) => operateApp({ deps: reviewDeps(), actor: ctx.caller, appId: input.appId, operation: "restart" })),
  status: protectedProcedure.input(targetInput).query(async ({ input, ctx }) => {
    await requireOwnerOrStaff(ctx.prisma, input.appId, ctx.caller);
    return services().apps.status(input);
  }),
  logs: protectedProcedure.input(targetInput.extend({ afterSeq: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(2000).optional() })).query(async ({ input, ctx }) => {
    await requireOwnerOrStaff(ctx.prisma, input.appId, ctx.caller);
    return services().apps.logs(input);
  }),
});
