// commitKv against the real embedded database (and PostgreSQL when the suite runs on it): a
// transaction's write set lands atomically in a few statements, whatever its size, keeps the
// preview's data apart from the live app's, and bad names are refused with nothing written.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../server/db/client";
import { commitKv, previewKvPrefix, type KvWriteSet } from "../../server/apps/commit-kv";
import { freshPostgresDatabase } from "../helpers/server";

let database: Database;
let dropPostgres: (() => Promise<void>) | undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-kv-commit-"));
const b64 = (text: string) => Buffer.from(text).toString("base64");

beforeAll(async () => {
  const postgres = process.env.DATABASE_URL ? await freshPostgresDatabase(process.env.DATABASE_URL) : undefined;
  dropPostgres = postgres?.drop;
  database = await openDatabase({ databaseUrl: postgres?.url, dataDir });
  const owner = await database.prisma.user.create({ data: { username: "kvowner", displayName: "kvowner", passwordHash: "x" } });
  await database.prisma.app.create({ data: { id: "kv-app", ownerId: owner.id, name: "kv-app" } });
}, 60_000);

afterAll(async () => {
  await database?.close();
  await dropPostgres?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function entries(map?: string) {
  const rows = await database.prisma.appKvEntry.findMany({ where: { appId: "kv-app", ...(map ? { map } : {}) }, orderBy: [{ map: "asc" }, { key: "asc" }] });
  return rows.map((row) => `${row.map}/${row.key}=${Buffer.from(row.value).toString()}`);
}

const commit = (writeSet: KvWriteSet, target: "live" | "preview" = "live") => commitKv({ prisma: database.prisma, appId: "kv-app", target, writeSet });

describe("committing an app's KV write set", () => {
  it("writes, overwrites and deletes in one transaction", async () => {
    await commit({ clears: [], writes: [{ map: "m", key: "a", value: b64("1") }, { map: "m", key: "b", value: b64("2") }] });
    await commit({ clears: [], writes: [{ map: "m", key: "a", value: b64("one") }, { map: "m", key: "b", value: null }, { map: "m", key: "gone", value: null }] });
    expect(await entries("m")).toEqual(["m/a=one"]);
  });

  it("clears maps before the writes made after the clear", async () => {
    await commit({ clears: [], writes: [{ map: "c", key: "x", value: b64("x") }, { map: "c", key: "y", value: b64("y") }, { map: "keep", key: "k", value: b64("k") }] });
    await commit({ clears: ["c"], writes: [{ map: "c", key: "z", value: b64("after") }] });
    expect(await entries("c")).toEqual(["c/z=after"]);
    expect(await entries("keep")).toEqual(["keep/k=k"]);
  });

  it("keeps the preview's data apart from the live app's", async () => {
    await commit({ clears: ["m"], writes: [{ map: "m", key: "a", value: b64("preview") }] }, "preview");
    expect(await entries("m")).toEqual(["m/a=one"]);
    expect(await entries(`${previewKvPrefix}m`)).toEqual([`${previewKvPrefix}m/a=preview`]);
  });

  it("commits 9,500 keys at once, and a second time over them", async () => {
    const writes = Array.from({ length: 9500 }, (_, i) => ({ map: "big", key: b64(`k${i}`), value: b64(`v${i}`) }));
    await commit({ clears: [], writes });
    await commit({ clears: [], writes: writes.map((write) => ({ ...write, value: b64("again") })) });
    expect(await database.prisma.appKvEntry.count({ where: { appId: "kv-app", map: "big" } })).toBe(9500);
    expect(await database.prisma.appKvEntry.count({ where: { appId: "kv-app", map: "big", value: Buffer.from("again") } })).toBe(9500);
  });

  it("refuses a NUL in a map name or key with BAD_REQUEST and writes nothing of the set", async () => {
    const before = await entries("m");
    await expect(commit({ clears: [], writes: [{ map: "m", key: "fine", value: b64("1") }, { map: "m\u0000", key: "a", value: b64("1") }] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(commit({ clears: ["m"], writes: [{ map: "m", key: "a\u0000", value: b64("1") }] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await entries("m")).toEqual(before);
  });
});
