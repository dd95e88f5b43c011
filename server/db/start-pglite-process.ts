// Starts the embedded database's process (pglite-process.ts) for a DATA_DIR, hands back the
// PostgreSQL connection string it serves on (so the caller uses pg as it would for PostgreSQL),
// and restarts that process if it dies: the socket stays where it was, so the caller's pool
// reconnects to the new process by itself and only the queries in flight fail.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../errors";
import type { PgliteProcessMessage } from "./pglite-process";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const processEntry = path.join(projectRoot, "server/db/pglite-process.ts");

// pg connects to <host>/.s.PGSQL.<port>; 5432 is its default port.
export const socketFileName = ".s.PGSQL.5432";
// sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included.
const maxSocketPathBytes = 103;
// A database that dies this often is not coming back by itself (its files, the disk): stop trying.
const maxRestartsPerMinute = 5;

export type PgliteProcess = {
  connectionString: string;
  /** The current database process (a restart changes it). */
  pid(): number;
  stop(): Promise<void>;
};

type Running = { child: ChildProcess; exited: Promise<void> };

/** DATA_DIR itself when the socket path fits, else a private directory in the system temp dir. */
function chooseSocketDir(dataDir: string): { dir: string; temporary: boolean } {
  if (Buffer.byteLength(path.join(dataDir, socketFileName)) <= maxSocketPathBytes) return { dir: dataDir, temporary: false };
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), "canopy-db-")), temporary: true };
}

async function spawnDatabaseProcess(dataDir: string, socketDir: string, readyTimeoutMs: number): Promise<Running> {
  const child = fork(processEntry, [dataDir, socketDir], {
    // Started from the project root so `--import tsx` resolves, as for the worker.
    cwd: projectRoot,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The embedded database process (pid ${child.pid}) for ${dataDir} was not ready within ${readyTimeoutMs / 1000} s`));
    }, readyTimeoutMs);
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onEarlyExit);
      child.off("error", onError);
      outcome();
    };
    const onMessage = (message: PgliteProcessMessage) => {
      if (message.type === "ready") settle(resolve);
      else if (message.code) settle(() => reject(new AppError(message.code!, message.message, message.details)));
      else settle(() => reject(new Error(`The embedded database in ${dataDir} could not be opened: ${message.message}`)));
    };
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(() => reject(new Error(`The embedded database process for ${dataDir} exited (${signal ?? `code ${code}`}) before it was ready`)));
    const onError = (error: Error) => settle(() => reject(new Error(`The embedded database process could not be started: ${error.message}`)));
    child.on("message", onMessage);
    child.once("exit", onEarlyExit);
    child.once("error", onError);
  }).catch(async (error: unknown) => {
    // Its lock is released on exit: the caller may try again as soon as this rejects.
    if (child.pid !== undefined) await exited;
    throw error;
  });
  return { child, exited };
}

export async function startPgliteProcess(options: {
  dataDir: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}): Promise<PgliteProcess> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const dataDir = path.resolve(options.dataDir);
  const socketDir = chooseSocketDir(dataDir);
  const removeSocketDir = () => socketDir.temporary && fs.rmSync(socketDir.dir, { recursive: true, force: true });
  let current: Running;
  try {
    current = await spawnDatabaseProcess(dataDir, socketDir.dir, readyTimeoutMs);
  } catch (error) {
    removeSocketDir();
    throw error;
  }

  let stopping = false;
  let restarting: Promise<void> | undefined;
  const restartTimes: number[] = [];

  function watch(running: Running): void {
    running.child.once("exit", (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      while (restartTimes.length && now - restartTimes[0]! > 60_000) restartTimes.shift();
      if (restartTimes.length >= maxRestartsPerMinute) {
        options.log?.(`embedded database process ${running.child.pid} exited (${signal ?? `code ${code}`}), the ${maxRestartsPerMinute + 1}th time within a minute; not restarting it: restart Canopy once the cause (DATA_DIR's disk, its files) is fixed`);
        return;
      }
      restartTimes.push(now);
      options.log?.(`embedded database process ${running.child.pid} exited (${signal ?? `code ${code}`}); restarting it`);
      restarting = (async () => {
        // Its successor takes over the lock the dead process left, and recovers PGlite's files as
        // PostgreSQL recovers after a crash.
        try {
          current = await spawnDatabaseProcess(dataDir, socketDir.dir, readyTimeoutMs);
        } catch (error) {
          options.log?.(`the embedded database could not be restarted: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        if (stopping) {
          current.child.kill("SIGTERM");
          return;
        }
        options.log?.(`embedded database process ${current.child.pid} restarted`);
        watch(current);
      })().finally(() => (restarting = undefined));
    });
  }
  watch(current);

  return {
    connectionString: `postgresql://postgres@/postgres?host=${encodeURIComponent(socketDir.dir)}`,
    pid: () => current.child.pid!,
    async stop() {
      stopping = true;
      await restarting;
      const { child, exited } = current;
      if (child.exitCode === null && child.signalCode === null) {
        const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.kill("SIGTERM");
        await exited;
        clearTimeout(killTimer);
      }
      removeSocketDir();
    },
  };
}
