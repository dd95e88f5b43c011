import { describe, expect, it, vi } from "vitest";
import { createChatLookups } from "../../server/chat/chat-lookups";
import type { PrismaClient } from "../../server/db/generated/client";

function fakePrisma() {
  const channel = { id: "c1", name: "alice", ownerId: "u1" };
  const prisma = {
    channel: { findUnique: vi.fn(async () => channel) },
    user: { findUnique: vi.fn(async () => null) },
    channelBan: { findUnique: vi.fn(async () => null) },
  };
  return { prisma, asClient: prisma as unknown as PrismaClient };
}

describe("chat lookups", () => {
  it("reads each channel and restriction once per TTL and again after being told to forget", async () => {
    let now = 0;
    const { prisma, asClient } = fakePrisma();
    const lookups = createChatLookups({ prisma: asClient, ttlMs: 1000, now: () => now });
    await lookups.channel("alice");
    await lookups.channel("alice");
    expect(prisma.channel.findUnique).toHaveBeenCalledTimes(1);
    await lookups.restriction("c1", "u2");
    await lookups.restriction("c1", "u2");
    expect(prisma.channelBan.findUnique).toHaveBeenCalledTimes(1);

    lookups.forgetChannel("alice");
    lookups.forgetRestriction("c1", "u2");
    await lookups.channel("alice");
    await lookups.restriction("c1", "u2");
    expect(prisma.channel.findUnique).toHaveBeenCalledTimes(2);
    expect(prisma.channelBan.findUnique).toHaveBeenCalledTimes(2);

    now = 1500;
    await lookups.channel("alice");
    expect(prisma.channel.findUnique).toHaveBeenCalledTimes(3);
  });
});
