import { z } from "zod";
import { createToken } from "../../tokens/create-token";
import { listTokens } from "../../tokens/list-tokens";
import { revokeToken } from "../../tokens/revoke-token";
import { createTRPCRouter, protectedProcedure } from "../init";

/** Members manage their own personal API tokens. */
export const tokensRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listTokens({ prisma: ctx.prisma, userId: ctx.caller.userId })),
  create: protectedProcedure
    .input(z.object({ name: z.string().trim().min(1, "Name the token").max(60) }))
    .mutation(({ ctx, input }) => createToken({ prisma: ctx.prisma, userId: ctx.caller.userId, name: input.name })),
  revoke: protectedProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => revokeToken({ prisma: ctx.prisma, userId: ctx.caller.userId, tokenId: input.id })),
});
