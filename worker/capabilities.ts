// What this worker hosts (ingest, apps, render), each reporting its own health; heartbeats carry
// the result to the server's service registry.
import type { ServiceName } from "../server/status/registry";

export type WorkerCapabilityName = Extract<ServiceName, "ingest" | "apps" | "render">;
export type CapabilityHealth = "alive" | "zombie";

export type WorkerCapability = {
  name: WorkerCapabilityName;
  health(): CapabilityHealth;
  /** Called when the worker (re)connects to the server, e.g. to report current sessions. */
  onConnect?(): void;
  stop(): Promise<void>;
  /** What it carries now (apps running, ingest streams, render sessions) and the most it takes on. */
  load?(): number;
  /** Unset: not limited by the worker. */
  limit?: number;
};

export function capabilityHealth(capabilities: WorkerCapability[]): Partial<Record<WorkerCapabilityName, CapabilityHealth>> {
  const health: Partial<Record<WorkerCapabilityName, CapabilityHealth>> = {};
  for (const capability of capabilities) health[capability.name] = capability.health();
  return health;
}

export type CapabilityCapacity = { limit?: number; load: number };

export function capabilityCapacity(capabilities: WorkerCapability[]): Partial<Record<WorkerCapabilityName, CapabilityCapacity>> {
  const capacity: Partial<Record<WorkerCapabilityName, CapabilityCapacity>> = {};
  for (const capability of capabilities) {
    if (capability.load) capacity[capability.name] = { limit: capability.limit, load: capability.load() };
  }
  return capacity;
}
