// Configuration for the Prisma CLI only (generate). The running app connects through a driver
// adapter chosen in server/db/client.ts and applies migrations itself (server/db/migrate.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/canopy" },
});
