import { describe, expect, it } from "vitest";
import { AdaptiveController, adaptiveTier, createPeerBandwidths, FrameDelivery, type FrameChannel } from "../../server/render/frame-delivery";
import type { CachedFrame } from "../../server/render/session-registry";
import { SessionViewers } from "../../worker/render/viewers";

function fakeChannel() {
  let writable = true;
  let listener: ((event: "drained" | "ready") => void) | null = null;
  const sent: number[] = [];
  const channel: FrameChannel = {
    writable: () => writable,
    watch(callback) {
      listener = callback;
      return () => (listener = null);
    },
    send(frame) {
      sent.push(frame.seq);
      writable = false;
      return frame.data.length;
    },
  };
  return {
    channel,
    sent,
    drain() {
      listener?.("drained");
      writable = true;
      listener?.("ready");
    },
  };
}

const frame = (seq: number, bytes = 10_000): CachedFrame => ({ sessionId: "s", seq, data: Buffer.alloc(bytes), timestamp: 0, width: 10, height: 10, quality: 60 });

describe("frame delivery", () => {
  it("keeps one frame in flight and drops stale ones for a slow client", () => {
    const fake = fakeChannel();
    let time = 0;
    const delivery = new FrameDelivery(fake.channel, () => time, (callback) => callback());
    delivery.offer(frame(0));
    for (let seq = 1; seq <= 5; seq++) delivery.offer(frame(seq));
    expect(fake.sent).toEqual([0]);
    time += 100;
    fake.drain();
    // Only the newest waiting frame goes next; 1–4 were dropped.
    expect(fake.sent).toEqual([0, 5]);
    expect(delivery.dropped).toBe(4);
    time += 100;
    fake.drain();
    expect(fake.sent).toEqual([0, 5]);
    delivery.offer(frame(5));
    expect(fake.sent).toEqual([0, 5]);
  });

  it("copes with a transport that drains while sending (long-polling)", () => {
    const sent: number[] = [];
    let listener: ((event: "drained" | "ready") => void) | null = null;
    const channel: FrameChannel = {
      writable: () => true,
      watch(callback) {
        listener = callback;
        return () => (listener = null);
      },
      send(frame) {
        sent.push(frame.seq);
        listener?.("drained");
        return frame.data.length;
      },
    };
    const delivery = new FrameDelivery(channel, () => 0, (callback) => callback());
    for (let seq = 0; seq < 3; seq++) delivery.offer(frame(seq));
    expect(sent).toEqual([0, 1, 2]);
  });

  it("measures bandwidth from transport busy time", () => {
    const fake = fakeChannel();
    let time = 0;
    const delivery = new FrameDelivery(fake.channel, () => time, (callback) => callback());
    for (let seq = 0; seq < 4; seq++) {
      delivery.offer(frame(seq, 25_000)); // 200 kbit
      time += 100; // 2 Mbit/s
      fake.drain();
    }
    expect(delivery.bandwidthBps()).toBeCloseTo(2_000_000, -3);
  });

  it("picks Jiomosa's tiers, from the slowest watcher, after two evaluations", () => {
    expect(adaptiveTier(6e6)).toMatchObject({ quality: 90, fps: 30 });
    expect(adaptiveTier(3e6)).toMatchObject({ quality: 75, fps: 20 });
    expect(adaptiveTier(1e6)).toMatchObject({ quality: 50, fps: 10 });
    const controller = new AdaptiveController();
    const current = { quality: 75, fps: 25 };
    expect(controller.evaluate([null], current)).toBeNull();
    expect(controller.evaluate([50e6, 1e6], current)).toBeNull();
    expect(controller.evaluate([50e6, 1e6], current)).toMatchObject({ name: "slow" });
    expect(controller.evaluate([50e6], { quality: 90, fps: 30 })).toBeNull();
  });
});

describe("session viewers per node (worker side)", () => {
  it("adds the nodes' counts up, names the nodes to send frames to, and lets a silent node's count lapse", () => {
    let now = 0;
    const viewers = new SessionViewers(1000, () => now);
    expect(viewers.set("s1", "web-api:a", 2)).toEqual({ total: 2, joined: true });
    expect(viewers.set("s1", "web-api:a", 1)).toEqual({ total: 1, joined: false });
    expect(viewers.set("s1", "web-api:b", 3)).toEqual({ total: 4, joined: true });
    expect(viewers.nodes("s1").sort()).toEqual(["web-api:a", "web-api:b"]);
    now = 600;
    viewers.set("s1", "web-api:b", 3);
    now = 1200;
    // Node a said nothing for longer than the TTL: no frames for it, and it no longer counts.
    expect(viewers.nodes("s1")).toEqual(["web-api:b"]);
    expect(viewers.expire()).toEqual([{ sessionId: "s1", total: 3 }]);
    expect(viewers.set("s1", "web-api:a", 1)).toEqual({ total: 4, joined: true });
    expect(viewers.set("s1", "web-api:b", 0)).toEqual({ total: 1, joined: false });
    viewers.forget("s1");
    expect(viewers.total("s1")).toBe(0);
    expect(viewers.nodes("s1")).toEqual([]);
  });
});

describe("adaptive mode across nodes", () => {
  it("weighs the other nodes' slowest viewers with this node's, so every node picks the same tier", () => {
    const peers = createPeerBandwidths({ staleMs: 6000, now: () => 0 });
    peers.report("s1", "node-b", 1_000_000);
    peers.report("s1", "node-c", 8_000_000);
    const own = [9_000_000];
    const controller = new AdaptiveController();
    const current = { quality: 90, fps: 30 };
    expect(controller.evaluate([...own, ...peers.current("s1")], current)).toBeNull();
    expect(controller.evaluate([...own, ...peers.current("s1")], current)).toMatchObject({ name: "slow", quality: 50, fps: 10 });
    expect(peers.current("other")).toEqual([]);
  });

  it("lets a node's report lapse when it stops sending (its viewers left or it died)", () => {
    let now = 0;
    const peers = createPeerBandwidths({ staleMs: 6000, now: () => now });
    peers.report("s1", "node-b", 1_000_000);
    now = 4000;
    peers.report("s1", "node-c", 3_000_000);
    now = 6001;
    expect(peers.current("s1")).toEqual([3_000_000]);
    now = 20_000;
    peers.prune();
    expect(peers.current("s1")).toEqual([]);
    peers.report("s1", "node-b", 2_000_000);
    peers.forget("s1");
    expect(peers.current("s1")).toEqual([]);
  });
});
