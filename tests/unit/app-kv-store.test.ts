// The worker's copy of an app's KV keeps a commit only once the server confirmed it, in the order
// the server applied them, while the app reads its own commits in flight; one transaction's write
// set fits one bus message.
import { describe, expect, it } from "vitest";
import { KvCommitError, KvQuotaError, KvStore, type KvWriteSet } from "@/worker/apps/kv-store";

const limits = { kvTransactionWrites: 100, kvTransactionBytes: 10_000 };
const key = (name: string) => Buffer.from(name).toString("base64");
const read = (store: KvStore, name: string) => store.begin(true).get("m", key(name))?.toString();

/** A server end that answers each commit when told to. */
function server() {
  const waiting: { writes: KvWriteSet; answer(ok: boolean): void }[] = [];
  const send = (writes: KvWriteSet) =>
    new Promise<void>((resolve, reject) => waiting.push({ writes, answer: (ok) => (ok ? resolve() : reject(new Error("Invalid data for appKvCommit"))) }));
  return { waiting, send };
}

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe("KV store", () => {
  it("lets later transactions read a commit in flight, and keeps it once the server confirmed it", async () => {
    const store = new KvStore(1 << 20, limits);
    const { waiting, send } = server();
    const txn = store.begin(false);
    txn.set("m", key("a"), Buffer.from("1"));
    expect(txn.get("m", key("a"))?.toString()).toBe("1");
    const done = txn.commit(send);
    await settled();
    // The app's next call reads what its last one wrote (a bot that counts, a board that lists).
    expect(read(store, "a")).toBe("1");
    expect(store.begin(true).keys("m")).toEqual([key("a")]);
    expect(waiting[0]!.writes).toEqual({ clears: [], writes: [{ map: "m", key: key("a"), value: Buffer.from("1").toString("base64") }] });
    waiting[0]!.answer(true);
    await done;
    expect(read(store, "a")).toBe("1");
  });

  it("leaves the copy as it was when the server refuses, with a clear error", async () => {
    const store = new KvStore(1 << 20, limits, [{ map: "m", key: key("a"), value: Buffer.from("old").toString("base64") }]);
    const { waiting, send } = server();
    const txn = store.begin(false);
    txn.set("m", key("a"), Buffer.from("new"));
    txn.clear("other");
    const done = txn.commit(send);
    await settled();
    expect(read(store, "a")).toBe("new");
    waiting[0]!.answer(false);
    await expect(done).rejects.toThrow(KvCommitError);
    await expect(done).rejects.toThrow(/refused, nothing was written: Invalid data/);
    expect(read(store, "a")).toBe("old");
    expect(store.begin(true).keys("m")).toEqual([key("a")]);
  });

  it("sends overlapping commits one at a time, in order, and applies each as it is confirmed", async () => {
    const store = new KvStore(1 << 20, limits);
    const { waiting, send } = server();
    const first = store.begin(false);
    const second = store.begin(false);
    first.set("m", key("a"), Buffer.from("first"));
    second.set("m", key("a"), Buffer.from("second"));
    second.set("m", key("b"), Buffer.from("second"));
    const firstDone = first.commit(send);
    const secondDone = second.commit(send);
    await settled();
    // The second is not sent before the first is settled, so the server applies them in this order.
    expect(waiting).toHaveLength(1);
    waiting[0]!.answer(false);
    await expect(firstDone).rejects.toThrow(KvCommitError);
    await settled();
    expect(waiting).toHaveLength(2);
    waiting[1]!.answer(true);
    await secondDone;
    expect([read(store, "a"), read(store, "b")]).toEqual(["second", "second"]);
  });

  it("counts writes being committed against the quota until they settle", async () => {
    const store = new KvStore(100, limits);
    const { waiting, send } = server();
    const first = store.begin(false);
    first.set("m", key("a"), Buffer.alloc(60));
    const done = first.commit(send);
    expect(() => store.begin(false).set("m", key("b"), Buffer.alloc(60))).toThrow(KvQuotaError);
    await settled();
    waiting[0]!.answer(false);
    await expect(done).rejects.toThrow();
    expect(() => store.begin(false).set("m", key("b"), Buffer.alloc(60))).not.toThrow();
  });

  it("refuses a write beyond the transaction's count or bytes, keeping the writes before it", () => {
    const store = new KvStore(1 << 20, limits);
    const many = store.begin(false);
    for (let i = 0; i < 100; i++) many.set("m", key(`k${i}`), Buffer.from("v"));
    // Writing a key again is no new write.
    many.set("m", key("k1"), Buffer.from("w"));
    expect(() => many.set("m", key("k100"), Buffer.from("v"))).toThrow(/at most 100 keys/);
    expect(() => many.delete("m", key("k100"))).toThrow(KvQuotaError);
    expect(many.keys("m")).toHaveLength(100);
    many.clear("m");
    many.set("m", key("after-clear"), Buffer.from("v"));

    const big = store.begin(false);
    big.set("m", key("a"), Buffer.alloc(6000));
    expect(() => big.set("m", key("b"), Buffer.alloc(6000))).toThrow(/at most 10000 bytes/);
    // Replacing a value counts the new size, not both.
    big.set("m", key("a"), Buffer.alloc(7000));
    expect(big.get("m", key("b"))).toBeUndefined();
  });
});
