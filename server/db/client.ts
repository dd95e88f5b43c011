// Opens the database the environment asks for: PostgreSQL when DATABASE_URL is set, else the
// embedded PGlite in DATA_DIR, which runs in its own process and speaks the PostgreSQL protocol
// on a Unix socket. Either way the caller talks to it through pg and @prisma/adapter-pg, and no
// query runs in the caller's event loop. Pending migrations are applied before the Prisma client
// is handed out.
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { applyMigrations, pgExecutor } from "./migrate";
import { startPgliteProcess, type PgliteProcess } from "./start-pglite-process";

export type Database = {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
};

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  log?: (line: string) => void;
}): Promise<Database> {
  const embedded: PgliteProcess | undefined = options.databaseUrl ? undefined : await startPgliteProcess({ dataDir: options.dataDir, log: options.log });
  const pool = new pg.Pool({
    connectionString: options.databaseUrl ?? embedded!.connectionString,
    // PGlite is one backend and its process accepts one connection: keep that one open rather
    // than closing it when idle and racing the close against the next connect.
    ...(embedded && { max: 1, idleTimeoutMillis: 0 }),
  });
  // An idle connection that breaks (the database restarted or its process died) is reported
  // here; without a listener it would crash the process. The next query reconnects or fails.
  pool.on("error", (error) => options.log?.(`database connection lost: ${error.message}`));
  const close = async () => {
    await pool.end();
    await embedded?.stop();
  };
  try {
    // One session for the whole run: the migration lock is held by the session.
    const client = await pool.connect();
    try {
      await applyMigrations({ executor: pgExecutor(client), migrationsDir, log: options.log });
    } finally {
      client.release();
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: embedded ? "pglite" : "postgres",
    close: async () => {
      await prisma.$disconnect();
      await close();
    },
  };
}
