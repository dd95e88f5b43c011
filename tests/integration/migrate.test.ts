// server/db/migrate.ts against in-memory PGlite and, when one is reachable, a real PostgreSQL
// (a throwaway database per run) for the multi-node case.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, pgExecutor, pgliteExecutor } from "../../server/db/migrate";

const migrationsDir = path.resolve(import.meta.dirname, "../../prisma/migrations");
const migrationNames = fs
  .readdirSync(migrationsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

const tempDirs: string[] = [];
/** A copy of the real migrations plus `extra` ({ folder: sql }) to play with. */
function migrationsCopy(extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-migrations-"));
  tempDirs.push(dir);
  fs.cpSync(migrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

type Row = {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
};

describe("applyMigrations on PGlite", () => {
  let db: PGlite;
  beforeAll(() => {
    expect(migrationNames.length).toBeGreaterThan(0);
  });
  afterEach(async () => {
    await db?.close();
  });

  it("creates the schema and Prisma's bookkeeping on a fresh database", async () => {
    db = new PGlite();
    const lines: string[] = [];
    const result = await applyMigrations({ executor: pgliteExecutor(db), migrationsDir, log: (l) => lines.push(l) });
    expect(result.applied).toEqual(migrationNames);
    expect(lines.join("\n")).toContain(migrationNames[0]);

    const tables = await db.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.rows.map((t) => t.tablename)).toEqual(expect.arrayContaining(["ApiToken", "User", "_prisma_migrations"]));

    const rows = (await db.query<Row>("SELECT * FROM _prisma_migrations ORDER BY migration_name")).rows;
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.checksum).toBe(sha256(path.join(migrationsDir, row.migration_name, "migration.sql")));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    // The column types Prisma's own CREATE TABLE gives the table.
    const columns = await db.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
      `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
        WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      { column_name: "id", data_type: "character varying", character_maximum_length: 36 },
      { column_name: "checksum", data_type: "character varying", character_maximum_length: 64 },
      { column_name: "finished_at", data_type: "timestamp with time zone", character_maximum_length: null },
      { column_name: "migration_name", data_type: "character varying", character_maximum_length: 255 },
      { column_name: "logs", data_type: "text", character_maximum_length: null },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", character_maximum_length: null },
      { column_name: "started_at", data_type: "timestamp with time zone", character_maximum_length: null },
      { column_name: "applied_steps_count", data_type: "integer", character_maximum_length: null },
    ]);
  });

  it("applies nothing the second time", async () => {
    db = new PGlite();
    await applyMigrations({ executor: pgliteExecutor(db), migrationsDir });
    const again = await applyMigrations({ executor: pgliteExecutor(db), migrationsDir });
    expect(again.applied).toEqual([]);
    const count = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations");
    expect(count.rows[0]?.n).toBe(migrationNames.length);
  });

  it("refuses a migration whose file changed after it was applied", async () => {
    db = new PGlite();
    const dir = migrationsCopy();
    await applyMigrations({ executor: pgliteExecutor(db), migrationsDir: dir });
    fs.appendFileSync(path.join(dir, migrationNames[0]!, "migration.sql"), "\n-- edited afterwards\n");
    await expect(applyMigrations({ executor: pgliteExecutor(db), migrationsDir: dir })).rejects.toThrow(
      new RegExp(`${migrationNames[0]} was already applied .* has changed`),
    );
  });

  it("accepts a checkout whose line endings git converted", async () => {
    db = new PGlite();
    const dir = migrationsCopy();
    await applyMigrations({ executor: pgliteExecutor(db), migrationsDir: dir });
    const file = path.join(dir, migrationNames[0]!, "migration.sql");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replaceAll("\n", "\r\n"));
    expect((await applyMigrations({ executor: pgliteExecutor(db), migrationsDir: dir })).applied).toEqual([]);
  });

  it("records a failed migration like Prisma, rolls it back, and then refuses to go on", async () => {
    db = new PGlite();
    const dir = migrationsCopy({
      "29990101000000_broken": 'CREATE TABLE "Half" ("id" INTEGER);\nSELEC 1;\n',
    });
    await expect(applyMigrations({ executor: pgliteExecutor(db), migrationsDir: dir })).rejects.toThrow(
      /Migration name: 29990101000000_broken[\s\S]*Database error code: 42601/,
    );
    const failed = (await db.query<Row>("SELECT * FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'"))
      .rows;
    expect(failed).toHaveLength(1);
    expect(failed[0]?.finished_at).toBeNull();
    expect(failed[0]?.applied_steps_count).toBe(0);
    expect(failed[0]?.logs).toContain("SELEC");
    // Its transaction was rolled back: nothing half-applied.
    expect((await db.query("SELECT to_regclass('\"Half\"') AS t")).rows).toEqual([{ t: null }]);

    await expect(applyMigrations({ executor: pgliteExecutor(db), migrationsDir: dir })).rejects.toThrow(
      /failed migrations[\s\S]*29990101000000_broken/,
    );

    // Fixed and marked rolled back (what `prisma migrate resolve --rolled-back` does): goes on.
    fs.writeFileSync(path.join(dir, "29990101000000_broken", "migration.sql"), 'CREATE TABLE "Half" ("id" INTEGER);\n');
    await db.query("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE finished_at IS NULL");
    const retry = await applyMigrations({ executor: pgliteExecutor(db), migrationsDir: dir });
    expect(retry.applied).toEqual(["29990101000000_broken"]);
  });

  it("refuses to migrate a non-empty schema that has no migration history", async () => {
    db = new PGlite();
    await db.exec('CREATE TABLE "Stray" ("id" INTEGER)');
    await expect(applyMigrations({ executor: pgliteExecutor(db), migrationsDir })).rejects.toThrow(/not empty \(Stray\)/);
  });
});

// ---- Real PostgreSQL -------------------------------------------------------------------------

const adminUrl = process.env.MIGRATE_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
const hasPostgres = await postgresReachable();

describe.skipIf(!hasPostgres)("applyMigrations on PostgreSQL", () => {
  const database = `canopy_migrate_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  const clients: pg.Client[] = [];

  async function connect(): Promise<pg.Client> {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  it("applies each migration once when two nodes start at the same time", async () => {
    // A slow extra migration makes sure the two runs overlap.
    const dir = migrationsCopy({ "29990101000000_slow": 'SELECT pg_sleep(0.5);\nCREATE TABLE "Slow" ("id" INTEGER);\n' });
    const expected = [...migrationNames, "29990101000000_slow"];
    const [a, b] = await Promise.all([connect(), connect()]);
    const results = await Promise.all([
      applyMigrations({ executor: pgExecutor(a), migrationsDir: dir }),
      applyMigrations({ executor: pgExecutor(b), migrationsDir: dir }),
    ]);

    // One node did all the work, the other waited on the lock and found nothing to do.
    expect(results.map((r) => r.applied).sort((x, y) => y.length - x.length)).toEqual([expected, []]);
    const rows = (await a.query<Row>("SELECT * FROM _prisma_migrations ORDER BY migration_name")).rows;
    expect(rows.map((r) => r.migration_name)).toEqual(expected);
    expect(rows.every((r) => r.finished_at instanceof Date && r.applied_steps_count === 1)).toBe(true);
    const tables = (await a.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows.map(
      (r: { tablename: string }) => r.tablename,
    );
    expect(tables).toEqual(expect.arrayContaining(["User", "ApiToken", "Slow"]));

    // Both runs let go of Prisma's advisory lock.
    const held = await a.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369");
    expect(held.rowCount).toBe(0);
  });
});
