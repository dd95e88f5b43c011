// The worker's side of app placement: the highest fence it has seen per app and target, and how
// long it may still serve each one. Commands with an older fence come from a node that has not
// seen the app move (or from before it moved) and are refused; an app whose lease was not renewed
// in time may already be running elsewhere, so the worker stops it.
import type { AppTarget } from "../../server/apps/runtime-contract";

type Key = `${string}:${AppTarget}`;
export type AppLease = { appId: string; target: AppTarget; fence: number };

export type AppLeases = {
  /** False when `fence` is older than one seen for the app; remembers a newer one. */
  admit(lease: AppLease): boolean;
  /** Lets the app run until `ttlMs` after `from` (default now), if `fence` is still the newest. */
  renew(lease: AppLease, ttlMs: number, from?: number): void;
  fenceOf(appId: string, target: AppTarget): number | undefined;
  expired(appId: string, target: AppTarget): boolean;
  /** Keys whose lease ran out; the caller stops those apps. */
  expiredKeys(): Key[];
  forget(appId: string, target: AppTarget): void;
  /** After a stop under `fence`: a start under that same fence still in transit is refused too. */
  retire(lease: AppLease): void;
};

export function createAppLeases(options: { now?: () => number } = {}): AppLeases {
  const now = options.now ?? Date.now;
  const fences = new Map<Key, number>();
  const deadlines = new Map<Key, number>();
  const keyOf = (appId: string, target: AppTarget): Key => `${appId}:${target}`;

  return {
    admit(lease) {
      const key = keyOf(lease.appId, lease.target);
      const seen = fences.get(key) ?? 0;
      if (lease.fence < seen) return false;
      fences.set(key, lease.fence);
      return true;
    },
    renew(lease, ttlMs, from = now()) {
      const key = keyOf(lease.appId, lease.target);
      if (lease.fence < (fences.get(key) ?? 0)) return;
      fences.set(key, lease.fence);
      deadlines.set(key, Math.max(deadlines.get(key) ?? 0, from + ttlMs));
    },
    fenceOf: (appId, target) => fences.get(keyOf(appId, target)),
    expired(appId, target) {
      const deadline = deadlines.get(keyOf(appId, target));
      return deadline !== undefined && deadline <= now();
    },
    expiredKeys() {
      const at = now();
      return [...deadlines].filter(([, deadline]) => deadline <= at).map(([key]) => key);
    },
    forget(appId, target) {
      deadlines.delete(keyOf(appId, target));
    },
    retire(lease) {
      const key = keyOf(lease.appId, lease.target);
      deadlines.delete(key);
      // Fences come from one sequence, so any later placement of the app has a higher one.
      fences.set(key, Math.max(fences.get(key) ?? 0, lease.fence + 1));
    },
  };
}
