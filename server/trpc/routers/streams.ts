import { z } from "zod";
import { channelNameSchema } from "../../chat/schemas";
import { AppError } from "../../errors";
import { services } from "../../services";
import { getPublicChannel, listDirectories, listLiveChannels } from "../../streams/channel-views";
import { getDashboard, updateChannelInfo } from "../../streams/dashboard";
import { rotateStreamKey } from "../../streams/rotate-stream-key";
import { stopLiveStream } from "../../streams/stop-live-stream";
import { getVod, listVods } from "../../streams/vods";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../init";

const tagSchema = z.string().trim().min(1).max(24).regex(/^[\p{L}\p{N}_ -]+$/u, "Tags contain letters, digits, spaces, - and _");

export const streamsRouter = createTRPCRouter({
  /** Anyone: live channels for the explore page, optionally in one directory. */
  live: publicProcedure
    .input(z.object({ directory: z.string().max(40).optional() }).optional())
    .query(({ ctx, input }) => listLiveChannels({ prisma: ctx.prisma, presence: services().presence, directory: input?.directory })),

  /** Anyone: the directories channels are listed under. */
  directories: publicProcedure.query(({ ctx }) => listDirectories({ prisma: ctx.prisma })),

  /** Anyone: one channel's public view. */
  channel: publicProcedure.input(z.object({ name: channelNameSchema })).query(async ({ ctx, input }) => {
    const channel = await getPublicChannel({ prisma: ctx.prisma, presence: services().presence, name: input.name });
    if (!channel) throw new AppError("NOT_FOUND", `No channel ${input.name}`);
    return channel;
  }),

  /** Anyone: a channel's recordings, newest first. */
  vods: publicProcedure.input(z.object({ channel: channelNameSchema })).query(({ ctx, input }) => listVods({ prisma: ctx.prisma, channel: input.channel })),

  /** Anyone: one recording of a channel. */
  vod: publicProcedure
    .input(z.object({ channel: channelNameSchema, id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getVod({ prisma: ctx.prisma, channel: input.channel, id: input.id })),

  /** Members: their own channel's dashboard (key hint, RTMP URL, status, stats, samples). */
  dashboard: protectedProcedure.query(({ ctx }) =>
    getDashboard({
      prisma: ctx.prisma,
      presence: services().presence,
      username: ctx.caller.username,
      rtmp: { port: services().env.RTMP_PORT, host: services().env.RTMP_PUBLIC_HOST },
    }),
  ),

  /** Members: title, description, tags and directory of their own channel. */
  updateInfo: protectedProcedure
    .input(
      z.object({
        title: z.string().trim().max(140).optional(),
        description: z.string().trim().max(2000).optional(),
        tags: z.array(tagSchema).max(10).optional(),
        directory: z.string().trim().max(40).optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateChannelInfo({ prisma: ctx.prisma, username: ctx.caller.username, info: input })),

  /** Members: a new stream key for their channel, shown once; a live stream on the old key is stopped. */
  rotateKey: protectedProcedure.mutation(async ({ ctx }) => {
    const rotated = await rotateStreamKey({ prisma: ctx.prisma, username: ctx.caller.username });
    if (rotated.wasLive) await stopLiveStream({ prisma: ctx.prisma, bus: services().bus, publicId: rotated.publicId });
    return { streamKey: rotated.streamKey, hint: rotated.hint };
  }),
});
