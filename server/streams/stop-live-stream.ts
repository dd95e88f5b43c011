import type { PrismaClient } from "../db/generated/client";
import type { BusEndpoint } from "../internal/bus-endpoint";

/** Asks the worker ingesting this channel to drop its publisher (after a key rotation). */
export async function stopLiveStream(options: { prisma: PrismaClient; bus: BusEndpoint; publicId: string }): Promise<boolean> {
  const channel = await options.prisma.channel.findUnique({ where: { publicId: options.publicId } });
  if (!channel?.liveWorkerId) return false;
  const reply = await options.bus
    .ask(`worker:${channel.liveWorkerId}`, "ingestStop", { publicId: options.publicId }, { timeoutMs: 3000 })
    .catch(() => ({ stopped: false }));
  return reply.stopped;
}
