// A real database for tests that exercise a store directly (no server): PGlite in a temporary
// directory, or a fresh database on the PostgreSQL server DATABASE_URL names (dropped on close).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../../server/db/client";
import { freshPostgresDatabase } from "./server";

export async function openTestDatabase(name: string): Promise<Database> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `canopy-${name}-`));
  const postgres = process.env.DATABASE_URL ? await freshPostgresDatabase(process.env.DATABASE_URL) : undefined;
  const db = await openDatabase({ databaseUrl: postgres?.url, dataDir });
  return {
    ...db,
    async close() {
      await db.close();
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
