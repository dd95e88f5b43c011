import { z } from "zod";
import { listUsers } from "../../accounts/list-users";
import { roleSchema, usernameSchema } from "../../accounts/schemas";
import { setRole } from "../../accounts/set-role";
import { createTRPCRouter, staffProcedure } from "../init";

/** Staff only: user administration. */
export const usersRouter = createTRPCRouter({
  list: staffProcedure
    .input(z.object({ search: z.string().max(40).optional() }).optional())
    .query(({ ctx, input }) => listUsers({ prisma: ctx.prisma, search: input?.search })),
  setRole: staffProcedure
    .input(z.object({ username: usernameSchema, role: roleSchema }))
    .mutation(({ ctx, input }) => setRole({ prisma: ctx.prisma, ...input })),
});
