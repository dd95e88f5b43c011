// The worker's copy of one app's KV (one app runs on one worker, so the copy is authoritative
// while it runs; every change is also committed to the server). A transaction collects writes
// over the copy; commit applies them here and hands the write set to the server in one question.
export type KvWriteSet = { clears: string[]; writes: { map: string; key: string; value: string | null }[] };

type Txn = { writes: Map<string, Map<string, Buffer | null>>; clears: Set<string> };

export class KvQuotaError extends Error {}

export class KvStore {
  private readonly maps = new Map<string, Map<string, Buffer>>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    /** A write set travels to the server in one bus message, which is bounded. */
    readonly maxTransactionBytes: number,
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

  /** @internal */ committed(map: string, key: string): Buffer | undefined {
    return this.maps.get(map)?.get(key);
  }
  /** @internal */ committedKeys(map: string): string[] {
    return [...(this.maps.get(map)?.keys() ?? [])];
  }
  /** @internal */ apply(txn: Txn): KvWriteSet {
    const set: KvWriteSet = { clears: [...txn.clears], writes: [] };
    for (const map of txn.clears) for (const key of this.committedKeys(map)) this.put(map, key, null);
    for (const [map, writes] of txn.writes) {
      for (const [key, value] of writes) {
        this.put(map, key, value);
        set.writes.push({ map, key, value: value === null ? null : value.toString("base64") });
      }
    }
    return set;
  }
  /** @internal */ quotaLeft(): number {
    return this.maxBytes - this.bytes;
  }
}

/** Keys are base64 of the key bytes, so ccf's ArrayBuffer keys and canopy's string keys share one form. */
export class KvTransaction {
  private readonly txn: Txn = { writes: new Map(), clears: new Set() };
  private growth = 0;
  private written = 0;

  constructor(
    private readonly store: KvStore,
    readonly readonly: boolean,
  ) {}

  get(map: string, key: string): Buffer | undefined {
    const written = this.txn.writes.get(map)?.get(key);
    if (written !== undefined) return written ?? undefined;
    if (this.txn.clears.has(map)) return undefined;
    return this.store.committed(map, key);
  }

  keys(map: string): string[] {
    const keys = new Set(this.txn.clears.has(map) ? [] : this.store.committedKeys(map));
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
    this.written += ((value.length + key.length) * 4) / 3;
    if (this.written > this.store.maxTransactionBytes) throw new KvQuotaError(`KV quota exceeded: one transaction writes at most ${Math.floor((this.store.maxTransactionBytes * 3) / 4)} bytes`);
    this.growth += delta;
    this.writesOf(map).set(key, value);
  }

  delete(map: string, key: string): boolean {
    this.writable();
    const existed = this.get(map, key) !== undefined;
    this.writesOf(map).set(key, null);
    return existed;
  }

  clear(map: string): void {
    this.writable();
    this.txn.clears.add(map);
    this.txn.writes.delete(map);
  }

  private writesOf(map: string): Map<string, Buffer | null> {
    let writes = this.txn.writes.get(map);
    if (!writes) this.txn.writes.set(map, (writes = new Map()));
    return writes;
  }

  isEmpty(): boolean {
    return this.txn.clears.size === 0 && this.txn.writes.size === 0;
  }

  /** Applies the writes to the worker's copy and returns the write set for the server. */
  commit(): KvWriteSet {
    return this.store.apply(this.txn);
  }
}
