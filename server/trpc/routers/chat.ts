import { z } from "zod";
import { disableChannelApp, enableChannelApp, listChannelApps } from "../../chat/channel-apps";
import { createChannel } from "../../chat/create-channel";
import { deleteMessage } from "../../chat/delete-message";
import { findChannel } from "../../chat/find-channel";
import { channelHistory, directHistory, maxHistoryLimit } from "../../chat/history";
import { canModerate } from "../../chat/moderation-rights";
import { liftRestriction, listRestrictions, restrictUser, updateChannelSettings } from "../../chat/restrict-user";
import { channelNameSchema } from "../../chat/schemas";
import { usernameSchema } from "../../accounts/schemas";
import { AppError } from "../../errors";
import { services } from "../../services";
import { createTRPCRouter, protectedProcedure, publicProcedure, staffProcedure } from "../init";

// Message ids are Int columns: a larger id is refused here rather than by PostgreSQL.
const pageInput = {
  limit: z.number().int().min(1).max(maxHistoryLimit).default(50),
  beforeId: z.int32().positive().optional(),
  afterId: z.int32().nonnegative().optional(),
};

export const chatRouter = createTRPCRouter({
  /** Anyone: a channel's settings and what the caller may do there. */
  channel: publicProcedure.input(z.object({ name: channelNameSchema })).query(async ({ ctx, input }) => {
    const channel = await findChannel({ prisma: ctx.prisma, name: input.name });
    if (!channel) throw new AppError("NOT_FOUND", `No channel #${input.name}`);
    return {
      name: channel.name,
      slowModeSeconds: channel.slowModeSeconds,
      chatDisabled: channel.chatDisabled,
      canModerate: canModerate(ctx.caller, channel),
      canChat: !!ctx.caller,
    };
  }),

  /** Anyone: a page of channel history (newest first; `afterId` catches up after a reconnect). */
  history: publicProcedure
    .input(z.object({ channel: channelNameSchema, ...pageInput }))
    .query(({ ctx, input }) => channelHistory({ prisma: ctx.prisma, ...input })),

  /** Members: direct messages with one other user; only the two of them can read them. */
  directHistory: protectedProcedure
    .input(z.object({ with: usernameSchema, ...pageInput }))
    .query(({ ctx, input }) => directHistory({ prisma: ctx.prisma, username: ctx.caller.username, other: input.with, limit: input.limit, beforeId: input.beforeId, afterId: input.afterId })),

  /** Staff: creates a channel that belongs to no member. */
  createChannel: staffProcedure
    .input(z.object({ name: channelNameSchema }))
    .mutation(({ ctx, input }) => createChannel({ prisma: ctx.prisma, name: input.name })),

  /** Staff and the channel owner: moderation. */
  deleteMessage: protectedProcedure.input(z.object({ id: z.int32().positive() })).mutation(async ({ ctx, input }) => {
    const deleted = await deleteMessage({ prisma: ctx.prisma, caller: ctx.caller, messageId: input.id });
    services().chat.deleted(deleted);
    return deleted;
  }),
  restrict: protectedProcedure
    .input(z.object({ channel: channelNameSchema, username: usernameSchema, durationSeconds: z.number().int().min(1).max(14 * 24 * 3600).optional(), reason: z.string().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      const { channelId, userId, ...restriction } = await restrictUser({ prisma: ctx.prisma, caller: ctx.caller, ...input });
      services().chatLookups.forgetRestriction(channelId, userId);
      services().chat.restricted(restriction);
      return restriction;
    }),
  liftRestriction: protectedProcedure
    .input(z.object({ channel: channelNameSchema, username: usernameSchema }))
    .mutation(async ({ ctx, input }) => {
      const { channelId, userId } = await liftRestriction({ prisma: ctx.prisma, caller: ctx.caller, ...input });
      services().chatLookups.forgetRestriction(channelId, userId);
    }),
  restrictions: protectedProcedure
    .input(z.object({ channel: channelNameSchema }))
    .query(({ ctx, input }) => listRestrictions({ prisma: ctx.prisma, caller: ctx.caller, channel: input.channel })),
  updateSettings: protectedProcedure
    .input(z.object({ channel: channelNameSchema, slowModeSeconds: z.number().int().min(0).max(3600).optional(), chatDisabled: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const settings = await updateChannelSettings({ prisma: ctx.prisma, caller: ctx.caller, ...input });
      services().chatLookups.forgetChannel(settings.name);
      services().chat.settings(settings);
      return settings;
    }),

  /** Staff and the channel owner: the apps enabled in the channel (they hear it, post system messages, delete others' messages). */
  apps: protectedProcedure.input(z.object({ channel: channelNameSchema })).query(({ ctx, input }) => listChannelApps({ prisma: ctx.prisma, caller: ctx.caller, channel: input.channel })),
  enableApp: protectedProcedure.input(z.object({ channel: channelNameSchema, appId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const { channelId, app } = await enableChannelApp({ prisma: ctx.prisma, caller: ctx.caller, ...input });
    services().chatLookups.forgetChannelApps(channelId);
    return app;
  }),
  disableApp: protectedProcedure.input(z.object({ channel: channelNameSchema, appId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const { channelId, disabled } = await disableChannelApp({ prisma: ctx.prisma, caller: ctx.caller, ...input });
    services().chatLookups.forgetChannelApps(channelId);
    return { disabled };
  }),
});
