// Who watches each render session, per server node: every node with viewers tells the worker its
// count (and tells it again every few seconds), so frames go to those nodes only and the
// screencast runs while the total is above zero. A node that died stops counting once its last
// word is older than `ttlMs`.
export class SessionViewers {
  private readonly counts = new Map<string, Map<string, { count: number; at: number }>>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** Records `node`'s count; `joined` when that node had no viewers before (it needs the current frame). */
  set(sessionId: string, node: string, count: number): { total: number; joined: boolean } {
    let perNode = this.counts.get(sessionId);
    const joined = count > 0 && !this.current(perNode?.get(node));
    if (count > 0) {
      if (!perNode) this.counts.set(sessionId, (perNode = new Map()));
      perNode.set(node, { count, at: this.now() });
    } else {
      perNode?.delete(node);
      if (perNode && !perNode.size) this.counts.delete(sessionId);
    }
    return { total: this.total(sessionId), joined };
  }

  /** The nodes that have viewers of the session now. */
  nodes(sessionId: string): string[] {
    return [...(this.counts.get(sessionId) ?? [])].filter(([, entry]) => this.current(entry)).map(([node]) => node);
  }

  total(sessionId: string): number {
    let total = 0;
    for (const entry of this.counts.get(sessionId)?.values() ?? []) if (this.current(entry)) total += entry.count;
    return total;
  }

  /** Drops counts nobody renewed; answers the sessions whose total changed, with their new total. */
  expire(): Array<{ sessionId: string; total: number }> {
    const changed: Array<{ sessionId: string; total: number }> = [];
    for (const [sessionId, perNode] of this.counts) {
      let dropped = false;
      for (const [node, entry] of perNode) {
        if (this.current(entry)) continue;
        perNode.delete(node);
        dropped = true;
      }
      if (!perNode.size) this.counts.delete(sessionId);
      if (dropped) changed.push({ sessionId, total: this.total(sessionId) });
    }
    return changed;
  }

  forget(sessionId: string): void {
    this.counts.delete(sessionId);
  }

  private current(entry: { at: number } | undefined): boolean {
    return entry !== undefined && this.now() - entry.at <= this.ttlMs;
  }
}
