// Opens the database the environment asks for: PGlite in DATA_DIR by default (one process,
// one connection), PostgreSQL through @prisma/adapter-pg when DATABASE_URL is set. Pending
// migrations are applied before the Prisma client is handed out.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaClient } from "./generated/client";
import { applyMigrations, pgExecutor, pgliteExecutor } from "./migrate";

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
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.log);
  return openPglite(path.join(options.dataDir, "db"), options.log);
}

async function openPostgres(databaseUrl: string, log?: (line: string) => void): Promise<Database> {
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
  const migrationClient = new pg.Client({ connectionString: databaseUrl });
  await migrationClient.connect();
  try {
    await applyMigrations({ executor: pgExecutor(migrationClient), migrationsDir, log });
  } finally {
    await migrationClient.end();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  return { prisma, kind: "postgres", close: () => prisma.$disconnect() };
}

async function openPglite(directory: string, log?: (line: string) => void): Promise<Database> {
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("pglite-prisma-adapter"),
  ]);
  fs.mkdirSync(directory, { recursive: true });
  const pglite = await PGlite.create(directory);
  await applyMigrations({ executor: pgliteExecutor(pglite), migrationsDir, log });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: "pglite",
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
