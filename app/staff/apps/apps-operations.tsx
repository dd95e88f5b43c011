"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { DataTable } from "../../_components/data-table";
import { LocalTime } from "../../_components/local-time";
import { formatBytes } from "../../_components/streams/format";
import { DeployProgress } from "../../_components/review/deploy-progress";
import { useAppsEvents } from "../../_components/review/use-apps-events";
import { useTRPC } from "../../_trpc/client";
import { errorInfo } from "../../_trpc/errors";
import type { RouterOutputs } from "../../_trpc/types";
import { ErrorAlert } from "../../_components/error-alert";

type AppRow = RouterOutputs["review"]["apps"][number];

export function AppsOperations({ initial }: { initial: AppRow[] }) {
  const trpc = useTRPC();
  const apps = useQuery(trpc.review.apps.queryOptions(undefined, { initialData: initial, refetchInterval: 5000 }));
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const queryClient = useQueryClient();
  const handlers = { onSuccess: () => queryClient.invalidateQueries(trpc.review.apps.pathFilter()), onError: (failure: unknown) => setError(errorInfo(failure).message) };
  const operations = {
    start: useMutation(trpc.appRuntime.start.mutationOptions(handlers)),
    stop: useMutation(trpc.appRuntime.stop.mutationOptions(handlers)),
    restart: useMutation(trpc.appRuntime.restart.mutationOptions(handlers)),
  };
  const busy = Object.values(operations).some((operation) => operation.isPending);

  return (
    <>
      <ErrorAlert message={error} />
      <section className="card">
        <DataTable
          rows={apps.data ?? initial}
          rowKey={(app) => app.id}
          rowProps={(app) => ({ "data-app": app.id })}
          empty="No apps yet."
          columns={[
            {
              label: "App",
              cell: (app) => (
                <div>
                  <strong>{app.name}</strong> <code>{app.id}</code>
                  <div className="small muted">by {app.owner.username}</div>
                </div>
              ),
            },
            {
              label: "State",
              testId: "app-state",
              cell: (app) => (
                <div>
                  {app.status.state}
                  {app.status.reason ? <div className="small muted">{app.status.reason}</div> : null}
                </div>
              ),
            },
            { label: "Deployment", cell: (app) => (app.activeDeployment ? `#${app.activeDeployment.number} of ${app._count.deployments}` : "none") },
            { label: "Memory", cell: (app) => (app.status.memoryBytes === undefined ? "–" : formatBytes(app.status.memoryBytes)) },
            { label: "CPU (last min)", cell: (app) => (app.status.cpuMsLastMinute === undefined ? "–" : `${app.status.cpuMsLastMinute} ms`) },
            { label: "Violations", cell: (app) => app.status.violations },
            {
              label: "Actions",
              cell: (app) => (
                <div className="button-row">
                  {(["start", "stop", "restart"] as const).map((operation) => (
                    <button key={operation} type="button" className="button button-small" disabled={busy} onClick={() => operations[operation].mutate({ appId: app.id })}>
                      {operation[0]!.toUpperCase() + operation.slice(1)}
                    </button>
                  ))}
                  <button type="button" className="button button-small" aria-expanded={selected === app.id} onClick={() => setSelected(selected === app.id ? null : app.id)}>
                    Deployments
                  </button>
                </div>
              ),
            },
          ]}
        />
      </section>
      {selected ? <Deployments appId={selected} onError={setError} /> : null}
    </>
  );
}

function Deployments({ appId, onError }: { appId: string; onError: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const deployments = useQuery(trpc.review.deployments.queryOptions({ appId }));
  const [progress, setProgress] = useState<{ step: string; failed: boolean } | null>(null);
  const [done, setDone] = useState<RouterOutputs["review"]["rollback"] | null>(null);
  useAppsEvents({
    "proposal:progress": (event) => {
      if (event.appId === appId) setProgress({ step: event.step, failed: event.state === "FAILED" });
    },
  });
  const rollback = useMutation(
    trpc.review.rollback.mutationOptions({
      onSuccess: (result) => {
        setDone(result);
        void queryClient.invalidateQueries(trpc.review.deployments.queryFilter({ appId }));
        void queryClient.invalidateQueries(trpc.review.apps.pathFilter());
      },
      onError: (failure) => onError(errorInfo(failure).message),
    }),
  );

  return (
    <section className="card" aria-labelledby="deployments-title">
      <h2 id="deployments-title">Deployments of {appId}</h2>
      {rollback.isPending || progress ? <DeployProgress step={progress?.step ?? "validating"} failed={progress?.failed ?? false} /> : null}
      {done ? (
        <p className={`alert ${done.state === "FAILED" ? "alert-error" : "alert-success"}`} role="status">
          {done.title}: {done.state === "FAILED" ? `failed (${done.stateReason})` : "done"} — <Link href={`/staff/proposals/${done.id}`}>record #{done.number}</Link>
        </p>
      ) : null}
      {deployments.isPending ? <p className="muted">Loading…</p> : null}
      <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
        {deployments.data?.deployments.map((deployment) => {
          const active = deployment.id === deployments.data.activeDeploymentId;
          return (
            <li key={deployment.id} data-deployment={deployment.number}>
              <strong>#{deployment.number}</strong> <code>{deployment.contentHash.slice(0, 12)}</code> · {deployment.source} · <LocalTime value={deployment.createdAt} />{" "}
              {active ? (
                <span className="badge badge-alive">active</span>
              ) : (
                <button type="button" className="button button-small" disabled={rollback.isPending} onClick={() => rollback.mutate({ appId, deploymentId: deployment.id })}>
                  Roll back to #{deployment.number}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
