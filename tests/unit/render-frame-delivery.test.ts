import { describe, expect, it } from "vitest";
import { AdaptiveController, adaptiveTier, FrameDelivery, type FrameChannel } from "../../server/render/frame-delivery";
import type { CachedFrame } from "../../server/render/session-registry";
import { createPairingStore } from "../../server/render/pairing";

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

describe("pairing", () => {
  it("is single use, expires, and hands the approving user over once", () => {
    let now = 0;
    const store = createPairingStore({ ttlMs: 1000, now: () => now });
    const started = store.start();
    expect(started.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(store.poll(started.pairingId)).toMatchObject({ status: "pending" });
    expect(() => store.approve("WRONG-CODE", "u1")).toThrow(/No device/);
    expect(store.approve(started.code.toLowerCase().replace("-", " "), "u1")).toEqual({ code: started.code });
    expect(() => store.approve(started.code, "u2")).toThrow(/No device/);
    expect(store.poll(started.pairingId)).toMatchObject({ status: "approved", userId: "u1" });
    expect(store.poll(started.pairingId)).toBeNull();
    const late = store.start();
    now += 1001;
    expect(() => store.approve(late.code, "u1")).toThrow();
    expect(store.poll(late.pairingId)).toBeNull();
  });
});
