// Liveness of every service, the source of the external API's status. Services the server hosts
// set their own state; services a worker hosts are alive only while that worker's heartbeats
// arrive and say so. "zombie": the process is there but reports that the service failed.
export const serviceNames = ["api", "web", "chat", "ingest", "apps", "render"] as const;
export type ServiceName = (typeof serviceNames)[number];
export type ServiceStatus = "alive" | "dead" | "zombie";

export type WorkerHeartbeat = {
  workerId: string;
  pid: number;
  state: "ok" | "failed";
  services: Partial<Record<ServiceName, "alive" | "zombie">>;
  rssBytes: number;
  startedAt: number;
  /** Per capability: the most it takes on (unset: no limit) and what it carries now. */
  capacity?: Partial<Record<ServiceName, { limit?: number; load: number }>>;
  /** The apps it serves, with the placement fence each runs under. */
  apps?: { appId: string; target: "live" | "preview"; fence: number }[];
  /** The worker's clock when it sent this heartbeat. */
  sentAt?: number;
};

/** A change of worker state, shared between the nodes of a cluster so each sees every worker. */
export type RegistryEvent = { kind: "heartbeat"; heartbeat: WorkerHeartbeat } | { kind: "disconnected"; workerId: string };

type WorkerEntry = WorkerHeartbeat & { lastSeen: number; connected: boolean };

export type WorkerSummary = {
  workerId: string;
  pid: number;
  status: ServiceStatus;
  lastSeen: number;
  startedAt: number;
  rssBytes: number;
};

export class ServiceRegistry {
  private readonly local = new Map<ServiceName, ServiceStatus>();
  private readonly workers = new Map<string, WorkerEntry>();
  private readonly listeners: ((event: RegistryEvent) => void)[] = [];

  constructor(private readonly options: { heartbeatTimeoutMs: number; now?: () => number }) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  setLocal(name: ServiceName, status: ServiceStatus): void {
    this.local.set(name, status);
  }

  /** Called with every change this node observed itself (not those applied from other nodes). */
  onChange(listener: (event: RegistryEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Applies a change another node observed. */
  apply(event: RegistryEvent): void {
    if (event.kind === "heartbeat") this.workers.set(event.heartbeat.workerId, { ...event.heartbeat, lastSeen: this.now(), connected: true });
    else {
      const entry = this.workers.get(event.workerId);
      if (entry) entry.connected = false;
    }
  }

  private observe(event: RegistryEvent): void {
    this.apply(event);
    for (const listener of this.listeners) listener(event);
  }

  recordHeartbeat(heartbeat: WorkerHeartbeat): void {
    this.observe({ kind: "heartbeat", heartbeat });
  }

  workerDisconnected(workerId: string): void {
    this.observe({ kind: "disconnected", workerId });
  }

  /** Forgets workers that have been gone for a while, so the list does not grow forever. */
  prune(maxAgeMs = 10 * 60_000): void {
    for (const [id, entry] of this.workers) {
      if (!entry.connected && this.now() - entry.lastSeen > maxAgeMs) this.workers.delete(id);
    }
  }

  private workerStatus(entry: WorkerEntry): ServiceStatus {
    if (!entry.connected || this.now() - entry.lastSeen > this.options.heartbeatTimeoutMs) return "dead";
    return entry.state === "failed" ? "zombie" : "alive";
  }

  workerSummaries(): WorkerSummary[] {
    return [...this.workers.values()].map((entry) => ({
      workerId: entry.workerId,
      pid: entry.pid,
      status: this.workerStatus(entry),
      lastSeen: entry.lastSeen,
      startedAt: entry.startedAt,
      rssBytes: entry.rssBytes,
    }));
  }

  /** Workers whose heartbeats are current and say `service` is alive. */
  workersProviding(service: ServiceName): string[] {
    return [...this.workers.values()]
      .filter((entry) => this.workerStatus(entry) === "alive" && entry.services[service] === "alive")
      .map((entry) => entry.workerId);
  }

  /**
   * Workers providing `service`, waiting up to `timeoutMs` for one when there is none: right after
   * a start, or when a loaded machine delays a heartbeat, a worker is usually a moment away.
   */
  async awaitProviders(service: ServiceName, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let providers = this.workersProviding(service);
    while (!providers.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      providers = this.workersProviding(service);
    }
    return providers;
  }

  /** What the worker's last heartbeat reported carrying for `service`. */
  loadOf(workerId: string, service: ServiceName): number | undefined {
    return this.workers.get(workerId)?.capacity?.[service]?.load;
  }

  /**
   * Live workers providing `service`, least loaded first relative to their limits, full ones left
   * out. `load` overrides the heartbeat's figure where the caller knows better (e.g. placements
   * made since the last heartbeat).
   */
  ranked(service: ServiceName, load?: (workerId: string) => number | undefined): string[] {
    return [...this.workers.values()]
      .filter((entry) => this.workerStatus(entry) === "alive" && entry.services[service] === "alive")
      .map((entry) => {
        const capacity = entry.capacity?.[service];
        const current = load?.(entry.workerId) ?? capacity?.load ?? 0;
        return { workerId: entry.workerId, current, share: capacity?.limit ? current / capacity.limit : 0, full: capacity?.limit !== undefined && current >= capacity.limit };
      })
      .filter((candidate) => !candidate.full)
      .sort((a, b) => a.share - b.share || a.current - b.current || a.workerId.localeCompare(b.workerId))
      .map((candidate) => candidate.workerId);
  }

  /** The first of `ranked`: where the next one goes. */
  leastLoaded(service: ServiceName, load?: (workerId: string) => number | undefined): string | undefined {
    return this.ranked(service, load)[0];
  }

  status(): Record<ServiceName | "worker", ServiceStatus> {
    const live = [...this.workers.values()].filter((entry) => this.workerStatus(entry) !== "dead");
    const fromWorkers = (name: ServiceName): ServiceStatus => {
      const reported = live.map((entry) => (entry.state === "failed" ? "zombie" : entry.services[name]));
      if (reported.includes("alive")) return "alive";
      return reported.includes("zombie") ? "zombie" : "dead";
    };
    const result = {} as Record<ServiceName | "worker", ServiceStatus>;
    for (const name of serviceNames) result[name] = this.local.get(name) ?? fromWorkers(name);
    const workerStates = live.map((entry) => this.workerStatus(entry));
    result.worker = workerStates.includes("alive") ? "alive" : workerStates.length ? "zombie" : "dead";
    return result;
  }
}
