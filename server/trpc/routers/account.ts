import { z } from "zod";
import { changePassword } from "../../accounts/change-password";
import { createUser } from "../../accounts/create-user";
import { displayNameSchema, passwordSchema, signUpInputSchema } from "../../accounts/schemas";
import { updateProfile } from "../../accounts/update-profile";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../init";

export const accountRouter = createTRPCRouter({
  /** Anyone: creates a member account. Signing in is next-auth's job afterwards. */
  signUp: publicProcedure
    .input(signUpInputSchema)
    .mutation(({ ctx, input }) => createUser({ prisma: ctx.prisma, ...input })),

  /** Anyone: the caller, or null for a guest. */
  me: publicProcedure.query(({ ctx }) => ctx.caller),

  /** Members: display name. */
  updateProfile: protectedProcedure
    .input(z.object({ displayName: displayNameSchema }))
    .mutation(({ ctx, input }) => updateProfile({ prisma: ctx.prisma, userId: ctx.caller.userId, displayName: input.displayName })),

  /** Members: needs the current password. */
  changePassword: protectedProcedure
    .input(z.object({ currentPassword: z.string().max(200), newPassword: passwordSchema }))
    .mutation(({ ctx, input }) => changePassword({ prisma: ctx.prisma, userId: ctx.caller.userId, ...input })),
});
