// The embedded database's own process: PGlite on DATA_DIR/db, served over a Unix socket in the
// PostgreSQL wire protocol, so the server (and the CLI) reach it through pg exactly as they reach
// PostgreSQL, and no query runs in their event loop. Started by start-pglite-process.ts with
// DATA_DIR and the socket's directory as its arguments; it lives as long as its parent's IPC channel does.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { isAppError } from "../errors";
import { lockDataDir, type DataDirLock } from "./data-dir-lock";
import { socketFileName } from "./start-pglite-process";

export type PgliteProcessMessage =
  | { type: "ready" }
  | { type: "failed"; code?: "CONFLICT"; message: string; details?: Record<string, unknown> };

function send(message: PgliteProcessMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [dataDir, socketDir] = process.argv.slice(2);
  if (!dataDir || !socketDir || !process.send) throw new Error("pglite-process.ts is started by start-pglite-process.ts, with DATA_DIR and the socket's directory as its arguments");
  // Ctrl-C reaches the whole process group; the parent decides when the database stops.
  process.on("SIGINT", () => {});

  let lock: DataDirLock | undefined;
  let pglite: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  let stopping = false;
  async function stop(exitCode: number): Promise<never> {
    if (!stopping) {
      stopping = true;
      await server?.stop().catch(() => undefined);
      // Closing flushes PGlite's files; an exit without it can lose the last writes.
      await pglite?.close().catch((error: unknown) => console.error("embedded database did not close cleanly:", error));
      lock?.release();
    }
    process.exit(exitCode);
  }
  process.on("SIGTERM", () => void stop(0));
  // The parent is gone (exited, or killed without a chance to stop us): nobody needs the database.
  process.on("disconnect", () => void stop(0));

  try {
    const directory = path.join(dataDir, "db");
    fs.mkdirSync(directory, { recursive: true });
    lock = await lockDataDir({ dataDir, openedBy: process.ppid });
    pglite = await PGlite.create(directory);
    const socketPath = path.join(socketDir, socketFileName);
    // Left behind by a predecessor that was killed; we hold the lock, so it is nobody's.
    fs.rmSync(socketPath, { force: true });
    // One connection: PGlite is one backend, and the socket server queues messages, not whole
    // extended-protocol exchanges, so two clients would interleave their Parse/Bind/Execute.
    server = new PGLiteSocketServer({ db: pglite, path: socketPath, maxConnections: 1 });
    await server.start();
    fs.chmodSync(socketPath, 0o600);
    send({ type: "ready" });
  } catch (error) {
    send(
      isAppError(error) && error.code === "CONFLICT"
        ? { type: "failed", code: "CONFLICT", message: error.message, details: error.details }
        : { type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
    );
    await stop(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
