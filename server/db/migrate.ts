// Applies prisma/migrations/<name>/migration.sql at startup, without Prisma's native schema
// engine (which cannot be installed here and cannot drive PGlite anyway). The bookkeeping is
// Prisma's own `_prisma_migrations` table, written the way the schema engine writes it
// (schema-engine sql_migration_persistence.rs and apply_migrations.rs), so `prisma migrate
// status` / `deploy` on a machine that has the engine agree with what ran here, and back.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { ClientBase } from "pg";

export interface MigrationExecutor {
  kind: "pglite" | "postgres";
  /** One statement, with optional $1.. parameters; returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A script of any number of statements and no parameters (simple query protocol). */
  exec(sql: string): Promise<void>;
}

export function pgliteExecutor(db: PGlite): MigrationExecutor {
  return {
    kind: "pglite",
    query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    exec: async (sql) => {
      await db.exec(sql);
    },
  };
}

/** `client` must be one connection, not a Pool: the advisory lock belongs to its session. */
export function pgExecutor(client: ClientBase): MigrationExecutor {
  return {
    kind: "postgres",
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    exec: async (sql) => {
      await client.query(sql);
    },
  };
}

// The key Prisma Migrate locks with, so this runner and `prisma migrate deploy` also exclude
// each other.
const PRISMA_MIGRATE_LOCK = 72707369;

// Verbatim from the schema engine's Postgres flavour (create_migrations_table).
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

type Migration = { name: string; script: string; checksum: string };

type MigrationRow = {
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
};

export async function applyMigrations(options: {
  executor: MigrationExecutor;
  migrationsDir: string;
  log?: (line: string) => void;
}): Promise<{ applied: string[] }> {
  const { executor: db, migrationsDir, log = () => {} } = options;
  const migrations = await readMigrations(migrationsDir);

  // Held for the whole run: a second node starting at the same time waits here, then finds
  // everything applied. PGlite has a single connection, so nothing can race it.
  if (db.kind === "postgres") await db.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
  try {
    await ensureMigrationsTable(db);
    const rows = await db.query<MigrationRow>(
      `SELECT migration_name, checksum, started_at, finished_at, rolled_back_at, logs
         FROM _prisma_migrations ORDER BY started_at`,
    );
    // Rows marked rolled back (`prisma migrate resolve --rolled-back`) no longer count.
    const live = rows.filter((row) => row.rolled_back_at === null);
    refuseFailedMigrations(live);

    const appliedRows = new Map(live.map((row) => [row.migration_name, row]));
    for (const migration of migrations) {
      const row = appliedRows.get(migration.name);
      if (row && !checksumMatches(migration.script, row.checksum)) {
        throw new Error(
          `Migration ${migration.name} was already applied to this database, but its migration.sql ` +
            `has changed since (checksum ${row.checksum} when applied, ${migration.checksum} now). ` +
            `An applied migration must not be edited: restore the file and put the change in a new ` +
            `migration (npm run db:migration:new -- <name>).`,
        );
      }
    }
    const onDisk = new Set(migrations.map((migration) => migration.name));
    for (const name of appliedRows.keys()) {
      // Normal for an older build started against a database a newer build has migrated.
      if (!onDisk.has(name)) log(`migrate: ${name} is applied to the database but not in ${migrationsDir}`);
    }

    const applied: string[] = [];
    for (const migration of migrations) {
      if (appliedRows.has(migration.name)) continue;
      log(`migrate: applying ${migration.name}`);
      await applyOne(db, migration);
      applied.push(migration.name);
    }
    log(applied.length ? `migrate: applied ${applied.length} migration(s)` : "migrate: database is up to date");
    return { applied };
  } finally {
    if (db.kind === "postgres") {
      // If the connection is broken the session, and with it the lock, is gone anyway; keep
      // whatever error got us here rather than replacing it with this one.
      await db.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => {});
    }
  }
}

/** Migration folders sorted by name, which starts with a timestamp: the order Prisma uses. */
async function readMigrations(migrationsDir: string): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: unknown) => {
    // Prisma would treat a missing folder as "no migrations"; for a server that would mean
    // starting on an empty database, so a missing folder is a packaging mistake instead.
    throw new Error(`Cannot read the migrations folder ${migrationsDir}`, { cause: error });
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // byte order, like the engine, not locale order
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const bytes = await readFile(file).catch((error: unknown) => {
        throw new Error(`Migration folder ${name} has no readable migration.sql (${file})`, { cause: error });
      });
      return { name, script: bytes.toString("utf8"), checksum: sha256(bytes) };
    }),
  );
}

async function ensureMigrationsTable(db: MigrationExecutor): Promise<void> {
  const tables = await db.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
  );
  if (tables.some((table) => table.tablename === "_prisma_migrations")) return;
  // Prisma's P3005: tables but no history means the schema was made some other way (db push,
  // by hand); replaying the migrations over it would fail halfway, so ask for a baseline.
  if (tables.length > 0) {
    throw new Error(
      `The database schema is not empty (${tables.map((table) => table.tablename).join(", ")}) but it ` +
        `has no _prisma_migrations table, so it is unknown which migrations it already has. Baseline it ` +
        `(https://pris.ly/d/migrate-baseline) or start from an empty database.`,
    );
  }
  await db.exec(CREATE_MIGRATIONS_TABLE);
}

// Same rule as Prisma's detect_failed_migrations: a row that never finished and was not marked
// rolled back blocks every later migration until someone looks at it.
function refuseFailedMigrations(rows: MigrationRow[]): void {
  const failed = rows.filter((row) => row.finished_at === null);
  if (failed.length === 0) return;
  const details = failed
    .map((row) => {
      const logs = row.logs?.trim() ? ` with the following logs:\n${row.logs.trim()}` : "";
      return `The \`${row.migration_name}\` migration started at ${row.started_at.toISOString()} failed${logs}`;
    })
    .join("\n");
  throw new Error(
    `Found failed migrations in the target database, new migrations will not be applied.\n${details}\n` +
      `Each migration ran in a transaction, so a failed one left no changes behind. Fix it, then mark ` +
      `it rolled back (what \`prisma migrate resolve --rolled-back <name>\` does): UPDATE ` +
      `_prisma_migrations SET rolled_back_at = now() WHERE migration_name = '<name>' AND ` +
      `finished_at IS NULL; and start again.`,
  );
}

async function applyOne(db: MigrationExecutor, migration: Migration): Promise<void> {
  const id = randomUUID();
  // Recorded before, and outside, the migration's transaction, exactly like Prisma: if the
  // migration fails (or the process dies) this row stays behind with finished_at NULL.
  await db.query("INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ($1, $2, $3)", [
    id,
    migration.checksum,
    migration.name,
  ]);
  try {
    // One transaction for the script and its "finished" mark, so a migration is either
    // entirely applied and recorded or not applied at all. (So a migration.sql must not
    // contain BEGIN/COMMIT or statements that refuse to run in a transaction, such as
    // CREATE INDEX CONCURRENTLY.)
    await db.exec("BEGIN");
    await db.exec(migration.script);
    await db.query(
      `UPDATE _prisma_migrations
          SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1
        WHERE id = $1`,
      [id],
    );
    await db.exec("COMMIT");
  } catch (error) {
    await db.exec("ROLLBACK").catch(() => {});
    const logs = failureLogs(migration.name, error);
    await db.query("UPDATE _prisma_migrations SET logs = $2 WHERE id = $1", [id, logs]).catch(() => {});
    throw new Error(logs, { cause: error });
  }
}

// The text of Prisma's P3018 (ApplyMigrationError), which is also what it stores in `logs`.
function failureLogs(name: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (
    "A migration failed to apply. New migrations cannot be applied before the error is recovered from. " +
    "Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n" +
    `Migration name: ${name}\n\n` +
    `Database error code: ${typeof code === "string" ? code : "none"}\n\n` +
    `Database error:\n${message}`
  );
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

// Like the engine's script_matches_checksum: git may have converted the line endings of a
// checkout, which must not count as an edit.
function checksumMatches(script: string, checksum: string): boolean {
  return [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")].some(
    (variant) => sha256(variant) === checksum,
  );
}
