// The reads every chat message needs (its channel, the sender's ban or timeout there, and the
// apps the channel enabled, which hear it), cached briefly per process: they cost more database
// time than storing the message itself.
// Changes invalidate at once, on every node of a cluster (shareInvalidation).
import type { Channel, ChannelBan, PrismaClient } from "../db/generated/client";
import type { ChatNamespace } from "./broadcaster";
import { findChannel } from "./find-channel";

export type ChatLookups = {
  channel(name: string): Promise<Channel | null>;
  restriction(channelId: string, userId: string): Promise<ChannelBan | null>;
  /** Ids of the apps the channel's owner or staff enabled there (ChannelApp). */
  channelApps(channelId: string): Promise<ReadonlySet<string>>;
  forgetChannel(name: string): void;
  forgetRestriction(channelId: string, userId: string): void;
  forgetChannelApps(channelId: string): void;
};

export function createChatLookups(options: { prisma: PrismaClient; ttlMs?: number; now?: () => number }): ChatLookups {
  const ttlMs = options.ttlMs ?? 2000;
  const now = options.now ?? Date.now;
  const channels = new Map<string, { value: Channel; until: number }>();
  const restrictions = new Map<string, { value: ChannelBan | null; until: number }>();
  const enabledApps = new Map<string, { value: ReadonlySet<string>; until: number }>();

  function sweep(map: Map<string, { until: number }>): void {
    if (map.size < 10_000) return;
    for (const [key, entry] of map) if (entry.until < now()) map.delete(key);
  }

  return {
    async channel(name) {
      const cached = channels.get(name);
      if (cached && cached.until > now()) return cached.value;
      const channel = await findChannel({ prisma: options.prisma, name });
      // Unknown names are not cached: a channel appears when its member signs up.
      if (channel) {
        sweep(channels);
        channels.set(name, { value: channel, until: now() + ttlMs });
      }
      return channel;
    },
    async restriction(channelId, userId) {
      const key = `${channelId}:${userId}`;
      const cached = restrictions.get(key);
      if (cached && cached.until > now()) return cached.value;
      const ban = await options.prisma.channelBan.findUnique({ where: { channelId_userId: { channelId, userId } } });
      sweep(restrictions);
      restrictions.set(key, { value: ban, until: now() + ttlMs });
      return ban;
    },
    async channelApps(channelId) {
      const cached = enabledApps.get(channelId);
      if (cached && cached.until > now()) return cached.value;
      const rows = await options.prisma.channelApp.findMany({ where: { channelId }, select: { appId: true } });
      const value = new Set(rows.map((row) => row.appId));
      sweep(enabledApps);
      enabledApps.set(channelId, { value, until: now() + ttlMs });
      return value;
    },
    forgetChannel: (name) => void channels.delete(name),
    forgetRestriction: (channelId, userId) => void restrictions.delete(`${channelId}:${userId}`),
    forgetChannelApps: (channelId) => void enabledApps.delete(channelId),
  };
}

/** On a clustered node: forgetting a lookup here makes every other node forget it too. */
export function shareInvalidation(lookups: ChatLookups, namespace: ChatNamespace): ChatLookups {
  namespace.on("forgetChannel", (name) => lookups.forgetChannel(name));
  namespace.on("forgetRestriction", (channelId, userId) => lookups.forgetRestriction(channelId, userId));
  namespace.on("forgetChannelApps", (channelId) => lookups.forgetChannelApps(channelId));
  return {
    ...lookups,
    forgetChannel(name) {
      lookups.forgetChannel(name);
      namespace.serverSideEmit("forgetChannel", name);
    },
    forgetRestriction(channelId, userId) {
      lookups.forgetRestriction(channelId, userId);
      namespace.serverSideEmit("forgetRestriction", channelId, userId);
    },
    forgetChannelApps(channelId) {
      lookups.forgetChannelApps(channelId);
      namespace.serverSideEmit("forgetChannelApps", channelId);
    },
  };
}
