"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { DataTable } from "../_components/data-table";
import { ServiceList, statusSummary } from "../_components/service-list";
import { StatusBadge } from "../_components/status-badge";
import { ago, LocalTime } from "../_components/local-time";
import { useHydrated } from "../_components/use-hydrated";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import type { RouterOutputs } from "../_trpc/types";

type Services = RouterOutputs["status"]["services"];
type Workers = RouterOutputs["status"]["workers"];

const pollMs = 5_000;

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function StatusPanel({ initialServices, initialWorkers }: { initialServices: Services; initialWorkers: Workers }) {
  const trpc = useTRPC();
  const live = { refetchInterval: pollMs, staleTime: pollMs };
  const services = useQuery(trpc.status.services.queryOptions(undefined, { ...live, initialData: initialServices }));
  const workers = useQuery(trpc.status.workers.queryOptions(undefined, { ...live, initialData: initialWorkers }));
  const hydrated = useHydrated();
  const now = useNow(1_000);
  const failed = services.isError ? services.error : workers.isError ? workers.error : null;

  return (
    <section className="card" aria-labelledby="services-title">
      <div className="card-header">
        <h2 id="services-title">Services</h2>
        <span className="muted small">Updates every {pollMs / 1000} s</span>
      </div>
      {failed ? (
        <p className="alert alert-error" role="alert" style={{ marginBottom: "1rem" }}>
          Could not refresh: {errorInfo(failed).message}
        </p>
      ) : null}
      <p style={{ fontWeight: 600 }}>{statusSummary(services.data)}</p>
      <ServiceList status={services.data} />

      <h3 style={{ marginTop: "1.5rem" }}>Workers</h3>
      <DataTable
        rows={workers.data}
        rowKey={(worker) => worker.workerId}
        empty="No worker has reported since the server started."
        columns={[
          { label: "Worker", cell: (worker) => <code>{worker.workerId}</code> },
          { label: "PID", kind: "num", cell: (worker) => worker.pid },
          { label: "Status", cell: (worker) => <StatusBadge status={worker.status} /> },
          { label: "Last heartbeat", kind: "num", cell: (worker) => (hydrated ? ago(worker.lastSeen, now) : <LocalTime value={worker.lastSeen} />) },
          { label: "Memory (RSS)", kind: "num", cell: (worker) => megabytes(worker.rssBytes) },
          { label: "Started", cell: (worker) => <LocalTime value={worker.startedAt} /> },
        ]}
      />
    </section>
  );
}
