// The server's view of render sessions: who owns each, which worker hosts it, its settings and
// the last frame (sent at once to a new subscriber). In memory on this node for now — every read
// and write goes through this one module so scale-out can move it to a shared store (Redis) with
// frames fanned out by the Socket.IO adapter.
import type { RenderFrame, RenderPageInfo } from "../internal/protocol";

export type CachedFrame = RenderFrame & {
  /** Filled on first use by a client that asked for Jiomosa's base64 form. */
  base64?: string;
};

export type RenderSessionRecord = {
  id: string;
  ownerId: string;
  workerId: string;
  createdAt: number;
  lastActivity: number;
  width: number;
  height: number;
  quality: number;
  fps: number;
  adaptive: boolean;
  pageInfo: RenderPageInfo;
  lastFrame: CachedFrame | null;
  subscribers: number;
};

export class RenderSessionRegistry {
  private readonly sessions = new Map<string, RenderSessionRecord>();
  /** Creations in flight per owner, so a burst of requests cannot pass the quota together. */
  private readonly reserved = new Map<string, number>();

  get(id: string): RenderSessionRecord | undefined {
    return this.sessions.get(id);
  }

  add(record: RenderSessionRecord): void {
    this.sessions.set(record.id, record);
  }

  remove(id: string): RenderSessionRecord | undefined {
    const record = this.sessions.get(id);
    this.sessions.delete(id);
    return record;
  }

  all(): RenderSessionRecord[] {
    return [...this.sessions.values()];
  }

  ofOwner(ownerId: string): RenderSessionRecord[] {
    return this.all().filter((record) => record.ownerId === ownerId);
  }

  ofWorker(workerId: string): RenderSessionRecord[] {
    return this.all().filter((record) => record.workerId === workerId);
  }

  countOfWorker(workerId: string): number {
    return this.ofWorker(workerId).length;
  }

  /** Holds one of the owner's `limit` places until the returned release is called; false when none is left. */
  reserve(ownerId: string, limit: number): (() => void) | false {
    const held = this.ofOwner(ownerId).length + (this.reserved.get(ownerId) ?? 0);
    if (held >= limit) return false;
    this.reserved.set(ownerId, (this.reserved.get(ownerId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.reserved.get(ownerId) ?? 1) - 1;
      if (left <= 0) this.reserved.delete(ownerId);
      else this.reserved.set(ownerId, left);
    };
  }

  get size(): number {
    return this.sessions.size;
  }
}
