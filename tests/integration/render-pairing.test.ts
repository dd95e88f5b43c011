// Thin-device pairings in the database (the embedded PGlite one here; the cluster tests use
// PostgreSQL): single use, expiring, codes typed loosely, and only hashes stored.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../server/db/client";
import { createPairingStore } from "../../server/render/pairing";

let database: Database;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-pairing-"));
  database = await openDatabase({ dataDir });
});

afterAll(async () => {
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("pairing store", () => {
  it("is single use, expires, and hands the approving user over once", async () => {
    let now = Date.now();
    const store = createPairingStore({ prisma: database.prisma, ttlMs: 1000, now: () => now });
    const started = await store.start();
    expect(started.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(await store.poll(started.pairingId)).toMatchObject({ status: "pending" });
    await expect(store.approve("WRONG-CODE", "u1")).rejects.toThrow(/No device/);
    expect(await store.approve(started.code.toLowerCase().replace("-", " "), "u1")).toEqual({ code: started.code });
    await expect(store.approve(started.code, "u2")).rejects.toThrow(/No device/);
    // Two polls at once: one gets the user, the other finds it gone.
    const polls = await Promise.all([store.poll(started.pairingId), store.poll(started.pairingId)]);
    expect(polls.filter((poll) => poll?.status === "approved")).toEqual([{ status: "approved", userId: "u1" }]);
    expect(await store.poll(started.pairingId)).toBeNull();

    const late = await store.start();
    now += 1001;
    await expect(store.approve(late.code, "u1")).rejects.toThrow(/No device/);
    expect(await store.poll(late.pairingId)).toBeNull();
    // Expired ones are swept by the next start; only hashes were ever stored.
    await store.start();
    const rows = await database.prisma.renderPairing.findMany();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(new RegExp(`${late.pairingId}|${late.code.replace("-", "")}`));
  });
});
