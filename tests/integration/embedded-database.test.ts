// The embedded database runs in a process of its own: queries do not block the caller's event
// loop, one process owns a DATA_DIR at a time (with a clear error for a second one), and the
// database process goes away with its parent, however the parent ends, and comes back if it dies.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../server/db/client";
import { isAppError } from "../../server/errors";
import { waitFor } from "../helpers/server";
import { childrenOf } from "../helpers/processes";

const dataDirs: string[] = [];
const open: Database[] = [];

function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-embedded-"));
  dataDirs.push(dir);
  return dir;
}

async function openTracked(dataDir: string): Promise<Database> {
  const db = await openDatabase({ dataDir });
  open.push(db);
  return db;
}

async function closeTracked(db: Database): Promise<void> {
  open.splice(open.indexOf(db), 1);
  await db.close();
}

const databaseProcesses = (parentPid: number) => childrenOf(parentPid).filter((child) => child.command.includes("pglite-process.ts"));

afterAll(async () => {
  for (const db of open) await db.close();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database", () => {
  it("runs its queries in another process, leaving the caller's event loop free", async () => {
    const db = await openTracked(freshDataDir());
    expect(db.kind).toBe("pglite");
    const [child] = databaseProcesses(process.pid);
    expect(child?.pid).toBeGreaterThan(0);
    expect(child!.pid).not.toBe(process.pid);

    // Several hundred ms of work in PGlite. In-process the loop would be held for nearly all of
    // it (one long gap between ticks); here the timer keeps ticking throughout.
    let lastTick = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - lastTick);
      lastTick = now;
    }, 5);
    const started = performance.now();
    const rows = await db.prisma.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM generate_series(1, 3000000)`;
    const elapsed = performance.now() - started;
    clearInterval(timer);
    longestGap = Math.max(longestGap, performance.now() - lastTick);
    expect(Number(rows[0]!.count)).toBe(3_000_000);
    expect(longestGap).toBeLessThan(elapsed / 2);
    await closeTracked(db);
  });

  it("refuses a second opener of the same DATA_DIR with CONFLICT while the first keeps working, and opens again after close", async () => {
    const dataDir = freshDataDir();
    const first = await openTracked(dataDir);
    await first.prisma.user.create({ data: { username: "first", displayName: "first", passwordHash: "x" } });

    const second = await openDatabase({ dataDir }).then(
      (db) => (open.push(db), undefined),
      (error: unknown) => error,
    );
    expect(isAppError(second) && second.code).toBe("CONFLICT");
    expect((second as Error).message).toContain(`DATA_DIR ${dataDir} is in use by process ${process.pid}`);
    expect((second as Error).message).toMatch(/stop it or use another DATA_DIR/);
    expect(databaseProcesses(process.pid)).toHaveLength(1);
    expect(await first.prisma.user.count()).toBe(1);

    await closeTracked(first);
    expect(databaseProcesses(process.pid)).toHaveLength(0);
    expect(fs.existsSync(path.join(dataDir, "db.lock"))).toBe(false);
    const again = await openTracked(dataDir);
    expect((await again.prisma.user.findMany()).map((user) => user.username)).toEqual(["first"]);
    await closeTracked(again);
  });

  it("restarts a database process that dies, keeping what was committed; the caller reconnects by itself", async () => {
    const lines: string[] = [];
    const db = await openDatabase({ dataDir: freshDataDir(), log: (line) => lines.push(line) });
    open.push(db);
    await db.prisma.user.create({ data: { username: "kept", displayName: "kept", passwordHash: "x" } });
    const [first] = databaseProcesses(process.pid);
    process.kill(first!.pid, "SIGKILL");
    await waitFor(async () => (await db.prisma.user.count()) === 1, 30_000, 100);
    const [second] = databaseProcesses(process.pid);
    expect(second!.pid).not.toBe(first!.pid);
    expect(lines.join("\n")).toMatch(new RegExp(`embedded database process ${first!.pid} exited \\(SIGKILL\\); restarting it`));
    await db.prisma.user.create({ data: { username: "after", displayName: "after", passwordHash: "x" } });
    expect((await db.prisma.user.findMany({ orderBy: { username: "asc" } })).map((user) => user.username)).toEqual(["after", "kept"]);
    await closeTracked(db);
    expect(databaseProcesses(process.pid)).toHaveLength(0);
  });

  it("stops with a parent that is killed, and the DATA_DIR can then be opened again", async () => {
    const dataDir = freshDataDir();
    const parent = spawn(process.execPath, ["--import", "tsx", "tests/fixtures/hold-embedded-database.ts", dataDir], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      parent.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("database open") && resolve());
      parent.once("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    const [child] = databaseProcesses(parent.pid!);
    expect(child).toBeDefined();
    // A live owner is refused even from another process tree.
    await expect(openDatabase({ dataDir })).rejects.toThrow(`in use by process ${parent.pid}`);

    parent.kill("SIGKILL");
    // Its database process saw the IPC channel close, closed PGlite and gave up the lock.
    await waitFor(() => !fs.existsSync(path.join(dataDir, "db.lock")), 15_000);
    const reopened = await openTracked(dataDir);
    expect(await reopened.prisma.user.count()).toBe(0);
    await closeTracked(reopened);
  });
});
