// Each app's log (per target): the newest lines in memory for live readers, every line written to
// AppLogLine in batches so the log survives a restart, pruned to the newest `retention` per app
// and target. Sequence numbers keep increasing across restarts (they start from the clock in
// microseconds), so a console that asks for lines after a seq it saw never misses or repeats one.
import type { Prisma, PrismaClient } from "../db/generated/client";
import type { Logger } from "../logger";
import type { AppLogEntry, AppTarget } from "./runtime-contract";

type Key = `${string}:${AppTarget}`;
const flushIntervalMs = 500;

export type AppLogStore = ReturnType<typeof createAppLogStore>;

export function createAppLogStore(deps: { prisma: PrismaClient; retention: number; logger: Logger }) {
  const rings = new Map<Key, AppLogEntry[]>();
  /** Keys whose older lines were read back from the database into the ring. */
  const loaded = new Map<Key, Promise<void>>();
  let unsaved: { appId: string; entry: AppLogEntry }[] = [];
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

  async function flush(): Promise<void> {
    if (!unsaved.length) return;
    const batch = unsaved;
    unsaved = [];
    const apps = new Set(batch.map((line) => line.appId));
    const existing = new Set((await deps.prisma.app.findMany({ where: { id: { in: [...apps] } }, select: { id: true } })).map((app) => app.id));
    const rows = batch
      .filter((line) => existing.has(line.appId))
      .map(({ appId, entry }) => ({
        appId,
        target: entry.target,
        seq: BigInt(entry.seq),
        at: new Date(entry.at),
        level: entry.level,
        message: entry.message,
        stack: (entry.stack ?? undefined) as Prisma.InputJsonValue | undefined,
        metrics: (entry.metrics ?? undefined) as Prisma.InputJsonValue | undefined,
      }));
    if (!rows.length) return;
    await deps.prisma.appLogLine.createMany({ data: rows, skipDuplicates: true });
    for (const key of new Set(rows.map((row) => `${row.appId}:${row.target}` as Key))) {
      const [appId, target] = [key.slice(0, key.lastIndexOf(":")), key.slice(key.lastIndexOf(":") + 1)];
      const oldestKept = await deps.prisma.appLogLine.findFirst({ where: { appId, target }, orderBy: { seq: "desc" }, skip: deps.retention - 1, select: { seq: true } });
      if (oldestKept) await deps.prisma.appLogLine.deleteMany({ where: { appId, target, seq: { lt: oldestKept.seq } } });
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
      for (const target of ["live", "preview"] as const) {
        rings.delete(keyOf(appId, target));
        loaded.delete(keyOf(appId, target));
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
