// Log lines leave an app bounded: cut to a byte limit with a marker, and in batches that each fit
// one bus message.
import { describe, expect, it } from "vitest";
import { messageBytes } from "@/server/internal/message-bytes";
import { splitLogBatches, truncateUtf8 } from "@/worker/apps/log-batches";

describe("truncateUtf8", () => {
  it("leaves text within the limit as it is", () => {
    expect(truncateUtf8("hello", 5)).toBe("hello");
    expect(truncateUtf8("€€", 6)).toBe("€€");
  });

  it("cuts longer text to the limit in UTF-8 bytes, marker included, saying how much was dropped", () => {
    for (const [text, max] of [["x".repeat(10_000), 100], ["€".repeat(900_000), 4096], ["a😀".repeat(5000), 257], ["é".repeat(300), 64]] as const) {
      const cut = truncateUtf8(text, max);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
      const match = /… \[truncated (\d+) bytes\]$/.exec(cut);
      expect(match).not.toBeNull();
      const kept = cut.slice(0, match!.index);
      // Whole characters only, the start of the original, and the count adds up.
      expect(text.startsWith(kept)).toBe(true);
      expect(Buffer.byteLength(kept) + Number(match![1])).toBe(Buffer.byteLength(text));
    }
  });
});

describe("splitLogBatches", () => {
  const entry = (message: string) => ({ at: 1, level: "log", message });

  it("keeps every entry, in order, in batches within the byte and count limits", () => {
    const entries = Array.from({ length: 700 }, (_, i) => entry(`${i}:${"€".repeat(i % 50 === 0 ? 3000 : 100)}`));
    const batches = splitLogBatches(entries, { maxBytes: 20_000, maxEntries: 40 });
    expect(batches.flat()).toEqual(entries);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(40);
      expect(messageBytes(batch)).toBeLessThanOrEqual(20_000);
    }
  });

  it("splits a 3 MB burst into messages the bus accepts", () => {
    const entries = Array.from({ length: 750 }, () => entry("x".repeat(4000)));
    const batches = splitLogBatches(entries, { maxBytes: 1_048_576 - 65_536, maxEntries: 1000 });
    expect(batches.length).toBe(4);
    for (const batch of batches) expect(messageBytes({ appId: "some-app", target: "live", entries: batch })).toBeLessThan(1_048_576 - 65_536);
  });
});

describe("messageBytes", () => {
  it("counts JSON in UTF-8 bytes and binary by length", () => {
    expect(messageBytes({ text: "€" })).toBe(Buffer.byteLength(JSON.stringify({ text: "€" })));
    expect(messageBytes({ body: new Uint8Array(1000), nested: [{ data: Buffer.alloc(500) }] })).toBeGreaterThanOrEqual(1500);
    expect(messageBytes({ body: new Uint8Array(1000) })).toBeLessThan(1100);
  });
});
