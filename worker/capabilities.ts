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
};

export function capabilityHealth(capabilities: WorkerCapability[]): Partial<Record<WorkerCapabilityName, CapabilityHealth>> {
  const health: Partial<Record<WorkerCapabilityName, CapabilityHealth>> = {};
  for (const capability of capabilities) health[capability.name] = capability.health();
  return health;
}
