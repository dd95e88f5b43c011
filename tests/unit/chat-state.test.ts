import { describe, expect, it } from "vitest";
import { createMemoryPresence } from "../../server/chat/presence";
import { createMemoryRateLimiter } from "../../server/chat/rate-limiter";
import { colorFor } from "../../server/chat/colors";

describe("rate limiter", () => {
  it("allows `limit` events per sliding window and says how long to wait", async () => {
    let now = 0;
    const limiter = createMemoryRateLimiter(() => now);
    for (let i = 0; i < 5; i++) expect(await limiter.hit("u", 5, 5000)).toBe(0);
    now = 1000;
    expect(await limiter.hit("u", 5, 5000)).toBe(4000);
    expect(await limiter.hit("other", 5, 5000)).toBe(0);
    now = 5000;
    expect(await limiter.hit("u", 5, 5000)).toBe(0);
    expect(await limiter.hit("u", 5, 5000)).toBe(0);
  });
});

describe("presence", () => {
  it("announces a user once however many connections they have, and counts guests as viewers", async () => {
    const presence = createMemoryPresence();
    expect(await presence.add("c", "s1", "alice")).toBe(true);
    expect(await presence.add("c", "s2", "alice")).toBe(false);
    expect(await presence.add("c", "s3", null)).toBe(false);
    expect(await presence.participants("c")).toEqual(["alice"]);
    expect(await presence.viewerCount("c")).toBe(3);
    expect(await presence.remove("c", "s1")).toEqual({ username: "alice", lastOfUser: false });
    expect(await presence.remove("c", "s2")).toEqual({ username: "alice", lastOfUser: true });
    expect(await presence.remove("c", "s2")).toBeUndefined();
    expect(await presence.participants("c")).toEqual([]);
    expect(await presence.viewerCount("c")).toBe(1);
  });
});

describe("colours", () => {
  it("are stable per username", () => {
    expect(colorFor("alice")).toBe(colorFor("alice"));
    expect(colorFor("alice")).toMatch(/^#[0-9a-f]{6}$/);
  });
});
