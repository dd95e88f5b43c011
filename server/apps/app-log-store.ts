// Each app's log (per target): the newest lines in memory for live readers, every line written to
// AppLogLine in batches so the log survives a restart, pruned to the newest `retention` per app
// and target. Sequence numbers keep increasing across restarts (they start from the clock in
// microseconds), so a console that asks for lines after a seq it saw never misses or repeats one.
import type { PrismaClient } from "../db/generated/client";
import type { Logger } from "../logger";
import type { AppLogEntry, AppTarget } from "./runtime-contract";

type Key = `${string}:${AppTarget}`;
const flushIntervalMs = 500;

type LogRow = { appId: string; entry: AppLogEntry };

/**
 * One INSERT of whole columns (unnest) instead of createMany: every endpoint call logs a metric
 * line, and createMany's per-row query building cost the server several times what the database
 * itself spends (about 0.15 ms of CPU per logged request). Existing rows are kept, as with
 * skipDuplicates.
 */
async function insertLines(prisma: PrismaClient, rows: LogRow[]): Promise<void> {
  const column = <T>(value: (row: LogRow) => T) => rows.map(value);
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  await prisma.$executeRaw`INSERT INTO "AppLogLine" ("appId", "target", "seq", "at", "level", "message", "stack", "metrics")
    SELECT * FROM unnest(
      ${column((row) => row.appId)}::text[], ${column((row) => row.entry.target)}::text[], ${column((row) => String(row.entry.seq))}::bigint[],
      ${column((row) => new Date(row.entry.at).toISOString())}::timestamp(3)[], ${column((row) => row.entry.level)}::text[], ${column((row) => row.entry.message)}::text[],
      ${column((row) => json(row.entry.stack))}::jsonb[], ${column((row) => json(row.entry.metrics))}::jsonb[])
    ON CONFLICT DO NOTHING`;
}

export type AppLogStore = ReturnType<typeof createAppLogStore>;

export function createAppLogStore(deps: { prisma: PrismaClient; retention: number; logger: Logger }) {
  const rings = new Map<Key, AppLogEntry[]>();
  /** Keys whose older lines were read back from the database into the ring. */
  const loaded = new Map<Key, Promise<void>>();
  let unsaved: LogRow[] = [];
  let lastSeq = Date.now() * 1000;
  const keyOf = (appId: string, target: AppTarget): Key => `${appId}:${target}`;

  function trim(ring: AppLogEntry[]): void {
    if (ring.length > deps.retention) ring.splice(0, ring.length - deps.retention);
  }

  function append(appId: string, target: AppTarget, entry: Omit<AppLogEntry, "seq" | "target">): AppLogEntry {
    const full: AppLogEntry = { ...entry, seq: ++lastSeq, target };
    const key = keyOf(appId, target);
    let ring = rings.get(key);
    if (!ring) rings.set(key, (ring = []));
    ring.push(full);
    trim(ring);
    unsaved.push({ appId, entry: full });
    return full;
  }

  /** Rows written per app and target since their table was last pruned. */
  const sincePrune = new Map<Key, number>();
  /** Apps known to exist, so a batch needs no lookup; lines of a deleted app are dropped. */
  const knownApps = new Set<string>();

  async function rowsOfExistingApps(batch: LogRow[]): Promise<LogRow[]> {
    const unknown = [...new Set(batch.map((line) => line.appId))].filter((appId) => !knownApps.has(appId));
    if (unknown.length) for (const app of await deps.prisma.app.findMany({ where: { id: { in: unknown } }, select: { id: true } })) knownApps.add(app.id);
    return batch.filter((line) => knownApps.has(line.appId));
  }

  async function flush(): Promise<void> {
    if (!unsaved.length) return;
    const batch = unsaved;
    unsaved = [];
    let rows = await rowsOfExistingApps(batch);
    if (!rows.length) return;
    try {
      await insertLines(deps.prisma, rows);
    } catch {
      // An app was deleted since it was seen: look again and save the others' lines.
      knownApps.clear();
      rows = await rowsOfExistingApps(batch);
      if (rows.length) await insertLines(deps.prisma, rows);
    }
    for (const row of rows) {
      const key: Key = `${row.appId}:${row.entry.target}`;
      sincePrune.set(key, (sincePrune.get(key) ?? 0) + 1);
    }
    // Pruning in steps of a tenth of the retention keeps the table bounded without a delete per batch.
    for (const [key, count] of sincePrune) {
      const ring = rings.get(key);
      if (count < deps.retention / 10 || !ring || ring.length < deps.retention) continue;
      sincePrune.set(key, 0);
      const index = key.lastIndexOf(":");
      await deps.prisma.appLogLine.deleteMany({ where: { appId: key.slice(0, index), target: key.slice(index + 1), seq: { lt: BigInt(ring[0]!.seq) } } });
    }
  }

  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    flushing = flushing.then(flush).catch((error: unknown) => deps.logger.warn("app log not saved", { error: String(error) }));
  }, flushIntervalMs);
  timer.unref();

  /** Reads the lines saved before this process started into the ring, once per app and target. */
  function load(appId: string, target: AppTarget): Promise<void> {
    const key = keyOf(appId, target);
    let done = loaded.get(key);
    if (!done) {
      done = (async () => {
        const rows = await deps.prisma.appLogLine.findMany({ where: { appId, target }, orderBy: { seq: "desc" }, take: deps.retention });
        const ring = rings.get(key) ?? [];
        const seen = new Set(ring.map((entry) => entry.seq));
        const older: AppLogEntry[] = rows
          .reverse()
          .filter((row) => !seen.has(Number(row.seq)))
          .map((row) => ({
            seq: Number(row.seq),
            at: row.at.getTime(),
            target,
            level: row.level as AppLogEntry["level"],
            message: row.message,
            ...(row.stack ? { stack: row.stack as AppLogEntry["stack"] } : {}),
            ...(row.metrics ? { metrics: row.metrics as AppLogEntry["metrics"] } : {}),
          }));
        const merged = [...older, ...ring].sort((a, b) => a.seq - b.seq);
        trim(merged);
        rings.set(key, merged);
      })();
      loaded.set(key, done);
      done.catch(() => loaded.delete(key));
    }
    return done;
  }

  return {
    append,
    /** The newest lines (after `afterSeq` when given), oldest first, including those saved before a restart. */
    async read(options: { appId: string; target: AppTarget; afterSeq?: number; limit?: number }): Promise<AppLogEntry[]> {
      await load(options.appId, options.target);
      const ring = rings.get(keyOf(options.appId, options.target)) ?? [];
      const after = options.afterSeq;
      const newer = after === undefined ? ring : ring.filter((entry) => entry.seq > after);
      return newer.slice(-(options.limit ?? 500));
    },
    /** Forgets an app's lines in memory; its rows go with the app (cascade). */
    forget(appId: string): void {
      knownApps.delete(appId);
      for (const target of ["live", "preview"] as const) {
        rings.delete(keyOf(appId, target));
        loaded.delete(keyOf(appId, target));
        sincePrune.delete(keyOf(appId, target));
      }
      unsaved = unsaved.filter((line) => line.appId !== appId);
    },
    /** Saves what is pending (at shutdown and in tests). */
    flush: () => (flushing = flushing.then(flush)),
    stop(): void {
      clearInterval(timer);
    },
  };
}
