import { describe, expect, it } from "vitest";
import { ServiceRegistry, type WorkerHeartbeat } from "../../server/status/registry";

function heartbeat(overrides: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat {
  return { workerId: "w1", pid: 10, state: "ok", services: {}, rssBytes: 1, startedAt: 0, ...overrides };
}

describe("ServiceRegistry", () => {
  it("reports services nobody hosts as dead, not alive", () => {
    const registry = new ServiceRegistry({ heartbeatTimeoutMs: 1000, now: () => 0 });
    registry.setLocal("api", "alive");
    expect(registry.status()).toEqual({ api: "alive", web: "dead", chat: "dead", ingest: "dead", apps: "dead", render: "dead", worker: "dead" });
  });

  it("derives worker-hosted services from fresh heartbeats only", () => {
    let now = 0;
    const registry = new ServiceRegistry({ heartbeatTimeoutMs: 1000, now: () => now });
    registry.recordHeartbeat(heartbeat({ services: { apps: "alive", render: "zombie" } }));
    expect(registry.status()).toMatchObject({ apps: "alive", render: "zombie", ingest: "dead", worker: "alive" });
    now = 1500;
    expect(registry.status()).toMatchObject({ apps: "dead", render: "dead", worker: "dead" });
  });

  it("marks everything a failed worker hosts as zombie and a disconnected one dead", () => {
    const registry = new ServiceRegistry({ heartbeatTimeoutMs: 1000, now: () => 0 });
    registry.recordHeartbeat(heartbeat({ state: "failed", services: { apps: "alive" } }));
    expect(registry.status()).toMatchObject({ apps: "zombie", worker: "zombie" });
    registry.workerDisconnected("w1");
    expect(registry.status()).toMatchObject({ apps: "dead", worker: "dead" });
  });

  it("prefers any alive worker over a failed one", () => {
    const registry = new ServiceRegistry({ heartbeatTimeoutMs: 1000, now: () => 0 });
    registry.recordHeartbeat(heartbeat({ workerId: "a", state: "failed", services: { apps: "alive" } }));
    registry.recordHeartbeat(heartbeat({ workerId: "b", services: { apps: "alive" } }));
    expect(registry.status()).toMatchObject({ apps: "alive", worker: "alive" });
    expect(registry.workerSummaries().map((worker) => worker.status).sort()).toEqual(["alive", "zombie"]);
  });

  it("forgets workers gone for long", () => {
    let now = 0;
    const registry = new ServiceRegistry({ heartbeatTimeoutMs: 1000, now: () => now });
    registry.recordHeartbeat(heartbeat());
    registry.workerDisconnected("w1");
    now = 11 * 60_000;
    registry.prune();
    expect(registry.workerSummaries()).toEqual([]);
  });

  it("picks the least loaded live worker relative to its limit, leaving out full and dead ones", () => {
    let now = 0;
    const registry = new ServiceRegistry({ heartbeatTimeoutMs: 1000, now: () => now });
    registry.recordHeartbeat(heartbeat({ workerId: "a", services: { apps: "alive" }, capacity: { apps: { limit: 10, load: 5 } } }));
    registry.recordHeartbeat(heartbeat({ workerId: "b", services: { apps: "alive" }, capacity: { apps: { limit: 4, load: 1 } } }));
    registry.recordHeartbeat(heartbeat({ workerId: "c", services: { apps: "alive" }, capacity: { apps: { limit: 2, load: 2 } } }));
    expect(registry.leastLoaded("apps")).toBe("b");
    expect(registry.loadOf("a", "apps")).toBe(5);
    // The caller's own count (placements not yet in a heartbeat) overrides the reported one.
    expect(registry.leastLoaded("apps", (id) => (id === "a" ? 0 : undefined))).toBe("a");
    registry.workerDisconnected("b");
    expect(registry.leastLoaded("apps")).toBe("a");
    now = 2000;
    expect(registry.leastLoaded("apps")).toBeUndefined();
  });
});
