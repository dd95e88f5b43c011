// One process owns the embedded database files: PGlite has no locking of its own, and two
// processes writing DATA_DIR/db would corrupt it. DATA_DIR/db.lock names the owner; a lock
// whose process is gone (killed, crashed) is taken over.
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors";

type LockOwner = {
  /** The process that has the database files open. */
  pid: number;
  /** The process that asked for the database (the server or the CLI), which a person would stop. */
  openedBy: number;
};

export type DataDirLock = { release(): void };

// An owner whose parent is gone is an orphaned database process closing itself down (its server
// was killed, and a restart is already asking): worth waiting for, briefly.
const orphanGraceMs = 10_000;

export async function lockDataDir(options: { dataDir: string; openedBy: number }): Promise<DataDirLock> {
  const lockFile = path.join(options.dataDir, "db.lock");
  const owner: LockOwner = { pid: process.pid, openedBy: options.openedBy };
  const content = JSON.stringify(owner);
  // Written whole first, then linked into place: link fails if the lock exists, like `wx`, and
  // nobody ever reads a half-written lock.
  const draft = path.join(options.dataDir, `db.lock.${process.pid}.tmp`);
  fs.writeFileSync(draft, content);
  const startedAt = Date.now();
  let takeovers = 0;
  try {
    while (!linkedInPlace(draft, lockFile)) {
      const existing = readLock(lockFile);
      if (existing === "gone") continue;
      if (existing !== "unreadable" && isAlive(existing.pid)) {
        if (isAlive(existing.openedBy) || Date.now() - startedAt > orphanGraceMs) throw inUse(options.dataDir, existing);
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (++takeovers > 3) throw new AppError("CONFLICT", `Cannot take over the stale lock ${lockFile}; remove it if no Canopy process uses ${options.dataDir}`);
      removeIfUnchanged(lockFile, existing);
    }
  } finally {
    fs.rmSync(draft, { force: true });
  }

  const release = () => {
    process.off("exit", release);
    // Only our own lock: after a takeover the file may belong to someone else.
    const current = readLock(lockFile);
    if (typeof current === "object" && current.pid === owner.pid) fs.rmSync(lockFile, { force: true });
  };
  process.on("exit", release);
  return { release };
}

function linkedInPlace(draft: string, lockFile: string): boolean {
  try {
    fs.linkSync(draft, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function readLock(lockFile: string): LockOwner | "gone" | "unreadable" {
  let text: string;
  try {
    text = fs.readFileSync(lockFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid === "number" && typeof parsed.openedBy === "number") return { pid: parsed.pid, openedBy: parsed.openedBy };
  } catch {
    // Not a lock this code wrote (or a damaged one): no owner to ask, so it counts as stale.
  }
  return "unreadable";
}

// Another process taking over the same stale lock at the same moment must not lose its fresh
// lock to us: remove the file only if it still holds what we judged stale.
function removeIfUnchanged(lockFile: string, judged: LockOwner | "unreadable"): void {
  const now = readLock(lockFile);
  const same = judged === "unreadable" ? now === "unreadable" : typeof now === "object" && now.pid === judged.pid;
  if (same) fs.rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function inUse(dataDir: string, owner: LockOwner): AppError {
  const holder = owner.openedBy === owner.pid ? "" : ` (its database process is ${owner.pid})`;
  return new AppError(
    "CONFLICT",
    `The embedded database in DATA_DIR ${dataDir} is in use by process ${owner.openedBy}${holder}; stop it or use another DATA_DIR`,
    { pid: owner.openedBy, databasePid: owner.pid },
  );
}
