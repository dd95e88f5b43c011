// The worker's copy of one app's KV (one app runs on one worker, so the copy is authoritative
// while it runs; every change is also committed to the server). A transaction collects writes
// over the copy; its commit hands the write set to the server in one question. Commits of one
// store go to the server one at a time, in order. A commit in flight is already what later
// transactions read (the app's own code runs in that order, as in one database session), and the
// copy keeps it only once the server has confirmed it: a refused commit is taken back on both
// sides.
export type KvWriteSet = { clears: string[]; writes: { map: string; key: string; value: string | null }[] };

type Txn = { writes: Map<string, Map<string, Buffer | null>>; clears: Set<string> };

/** How much one transaction may write: its write set travels in one bounded bus message. */
export type KvTransactionLimits = { kvTransactionWrites: number; kvTransactionBytes: number };

export class KvQuotaError extends RangeError {}

/** The server refused (or never confirmed) a commit: nothing of the transaction was written. */
export class KvCommitError extends Error {}

/** Maps one transaction may clear (the bus schema's limit). */
const maxClears = 100;
/** JSON around one write as it travels: `{"map":"","key":"","value":""},`. */
const writeOverheadBytes = 32;

export class KvStore {
  private readonly maps = new Map<string, Map<string, Buffer>>();
  private bytes = 0;
  /** Growth of the transactions being committed, counted against the quota until they settle. */
  private reserved = 0;
  private commits: Promise<unknown> = Promise.resolve();
  /** Commits sent or waiting to be, oldest first: read over the copy until they settle. */
  private readonly inFlight: Txn[] = [];

  constructor(
    private readonly maxBytes: number,
    readonly transactionLimits: KvTransactionLimits,
    entries: { map: string; key: string; value: string }[] = [],
  ) {
    for (const entry of entries) this.put(entry.map, entry.key, Buffer.from(entry.value, "base64"));
  }

  totalBytes(): number {
    return this.bytes;
  }

  private put(map: string, key: string, value: Buffer | null): void {
    let entries = this.maps.get(map);
    const old = entries?.get(key);
    if (old) this.bytes -= old.length + key.length;
    if (value === null) {
      entries?.delete(key);
      return;
    }
    if (!entries) this.maps.set(map, (entries = new Map()));
    entries.set(key, value);
    this.bytes += value.length + key.length;
  }

  begin(readonly: boolean): KvTransaction {
    return new KvTransaction(this, readonly);
  }

  /** @internal The value as of the commits made so far, confirmed or in flight. */ current(map: string, key: string): Buffer | undefined {
    for (let i = this.inFlight.length - 1; i >= 0; i--) {
      const txn = this.inFlight[i]!;
      const written = txn.writes.get(map)?.get(key);
      if (written !== undefined) return written ?? undefined;
      if (txn.clears.has(map)) return undefined;
    }
    return this.maps.get(map)?.get(key);
  }
  /** @internal */ currentKeys(map: string): Set<string> {
    const keys = new Set(this.maps.get(map)?.keys() ?? []);
    for (const txn of this.inFlight) {
      if (txn.clears.has(map)) keys.clear();
      for (const [key, value] of txn.writes.get(map) ?? []) {
        if (value === null) keys.delete(key);
        else keys.add(key);
      }
    }
    return keys;
  }
  /** @internal */ quotaLeft(): number {
    return this.maxBytes - this.bytes - this.reserved;
  }

  /** @internal Sends the write set (after the commits before it); the copy keeps it if the server confirmed it. */
  commit(txn: Txn, growth: number, send: (writes: KvWriteSet) => Promise<void>): Promise<void> {
    const set: KvWriteSet = { clears: [...txn.clears], writes: [] };
    for (const [map, writes] of txn.writes) for (const [key, value] of writes) set.writes.push({ map, key, value: value === null ? null : value.toString("base64") });
    this.reserved += growth;
    this.inFlight.push(txn);
    const done = this.commits.then(async () => {
      let confirmed = false;
      try {
        await send(set);
        confirmed = true;
      } catch (error) {
        throw new KvCommitError(`KV commit refused, nothing was written: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.reserved -= growth;
        this.inFlight.splice(this.inFlight.indexOf(txn), 1);
        if (confirmed) {
          for (const map of txn.clears) this.maps.get(map)?.forEach((_value, key) => this.put(map, key, null));
          for (const [map, writes] of txn.writes) for (const [key, value] of writes) this.put(map, key, value);
        }
      }
    });
    this.commits = done.catch(() => undefined);
    return done;
  }
}

/** Keys are base64 of the key bytes, so ccf's ArrayBuffer keys and canopy's string keys share one form. */
export class KvTransaction {
  private readonly txn: Txn = { writes: new Map(), clears: new Set() };
  private growth = 0;
  private writeCount = 0;
  /** The write set's size as it travels. */
  private writeBytes = 0;

  constructor(
    private readonly store: KvStore,
    readonly readonly: boolean,
  ) {}

  get(map: string, key: string): Buffer | undefined {
    const written = this.txn.writes.get(map)?.get(key);
    if (written !== undefined) return written ?? undefined;
    if (this.txn.clears.has(map)) return undefined;
    return this.store.current(map, key);
  }

  keys(map: string): string[] {
    const keys = this.txn.clears.has(map) ? new Set<string>() : this.store.currentKeys(map);
    for (const [key, value] of this.txn.writes.get(map) ?? []) {
      if (value === null) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort();
  }

  private writable(): void {
    if (this.readonly) throw new Error("This endpoint is readonly: KV writes are refused");
  }

  set(map: string, key: string, value: Buffer): void {
    this.writable();
    const old = this.get(map, key);
    const delta = value.length + key.length - (old ? old.length + key.length : 0);
    if (delta > 0 && this.growth + delta > this.store.quotaLeft()) throw new KvQuotaError(`KV quota exceeded: this app may store ${this.store.quotaLeft() + this.store.totalBytes()} bytes`);
    this.record(map, key, value);
    this.growth += delta;
  }

  delete(map: string, key: string): boolean {
    this.writable();
    const existed = this.get(map, key) !== undefined;
    this.record(map, key, null);
    return existed;
  }

  clear(map: string): void {
    this.writable();
    if (!this.txn.clears.has(map) && this.txn.clears.size >= maxClears) throw new KvQuotaError(`KV transaction limit: one transaction clears at most ${maxClears} maps`);
    for (const [key, value] of this.txn.writes.get(map) ?? []) {
      this.writeCount--;
      this.writeBytes -= travellingBytes(map, key, value);
    }
    this.txn.clears.add(map);
    this.txn.writes.delete(map);
  }

  /** Adds one write, refusing it (and leaving the transaction as it was) beyond the transaction's limits. */
  private record(map: string, key: string, value: Buffer | null): void {
    const writes = this.txn.writes.get(map);
    const previous = writes?.get(key);
    const count = this.writeCount + (previous === undefined ? 1 : 0);
    const bytes = this.writeBytes + travellingBytes(map, key, value) - (previous === undefined ? 0 : travellingBytes(map, key, previous));
    const limits = this.store.transactionLimits;
    if (count > limits.kvTransactionWrites) throw new KvQuotaError(`KV transaction limit: one transaction writes at most ${limits.kvTransactionWrites} keys`);
    if (bytes > limits.kvTransactionBytes) throw new KvQuotaError(`KV transaction limit: one transaction writes at most ${limits.kvTransactionBytes} bytes (keys and values in base64)`);
    this.writeCount = count;
    this.writeBytes = bytes;
    if (writes) writes.set(key, value);
    else this.txn.writes.set(map, new Map([[key, value]]));
  }

  isEmpty(): boolean {
    return this.txn.clears.size === 0 && this.txn.writes.size === 0;
  }

  /** Sends the write set with `send`; the worker's copy changes only once that resolves. */
  commit(send: (writes: KvWriteSet) => Promise<void>): Promise<void> {
    return this.store.commit(this.txn, this.growth, send);
  }
}

function travellingBytes(map: string, key: string, value: Buffer | null): number {
  return writeOverheadBytes + map.length + key.length + (value === null ? 4 : Math.ceil(value.length / 3) * 4);
}
