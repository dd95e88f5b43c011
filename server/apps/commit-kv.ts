// Applies one KV transaction's write set for an app, atomically and in at most three statements
// whatever its size: a commit of 10,000 keys costs the database (PGlite runs one statement at a
// time, for everyone) three statements, not 10,000 upserts.
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";

export type KvWriteSet = { clears: string[]; writes: { map: string; key: string; value: string | null }[] };

/** Keys of the preview's KV: the preview runs beside the live app and must not touch its data. */
export const previewKvPrefix = "~preview/";

export async function commitKv(options: { prisma: PrismaClient; appId: string; target: "live" | "preview"; writeSet: KvWriteSet }): Promise<void> {
  const { prisma, appId } = options;
  const prefix = options.target === "preview" ? previewKvPrefix : "";
  // PostgreSQL text holds no NUL; refused up front, so the whole commit fails cleanly.
  const names = [...options.writeSet.clears, ...options.writeSet.writes.flatMap((write) => [write.map, write.key])];
  if (names.some((name) => name.includes("\u0000"))) throw new AppError("BAD_REQUEST", "KV map names and keys may not contain NUL");
  const clears = options.writeSet.clears.map((map) => prefix + map);
  const deletes = options.writeSet.writes.filter((write) => write.value === null).map((write) => ({ map: prefix + write.map, key: write.key }));
  const upserts = options.writeSet.writes.filter((write) => write.value !== null)// Re-encoded, so that PostgreSQL's strict decode reads what Node's lenient one would.
    .map((write) => ({ map: prefix + write.map, key: write.key, value: Buffer.from(write.value!, "base64").toString("base64") }));
  // The sets travel as one JSON parameter each: the same SQL on PGlite and PostgreSQL, whatever the size.
  const statements = [];
  if (clears.length) statements.push(prisma.$executeRaw`DELETE FROM "AppKvEntry" WHERE "appId" = ${appId} AND "map" IN (SELECT jsonb_array_elements_text(${JSON.stringify(clears)}::jsonb))`);
  if (deletes.length) {
    statements.push(prisma.$executeRaw`DELETE FROM "AppKvEntry" AS entry USING jsonb_to_recordset(${JSON.stringify(deletes)}::jsonb) AS gone("map" text, "key" text)
      WHERE entry."appId" = ${appId} AND entry."map" = gone."map" AND entry."key" = gone."key"`);
  }
  if (upserts.length) {
    statements.push(prisma.$executeRaw`INSERT INTO "AppKvEntry" ("appId", "map", "key", "value", "updatedAt")
      SELECT ${appId}, written."map", written."key", decode(written."value", 'base64'), now()
      FROM jsonb_to_recordset(${JSON.stringify(upserts)}::jsonb) AS written("map" text, "key" text, "value" text)
      ON CONFLICT ("appId", "map", "key") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = EXCLUDED."updatedAt"`);
  }
  if (statements.length) await prisma.$transaction(statements);
}
