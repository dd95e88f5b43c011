"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../_components/error-alert";
import { ListPanel } from "../_components/list-panel";
import { useActionError } from "../_components/use-action-error";
import { LocalTime } from "../_components/local-time";
import { useTRPC } from "../_trpc/client";
import type { RouterOutputs } from "../_trpc/types";

type AllowList = RouterOutputs["render"]["allowedHosts"];

/** Staff: hosts render sessions may load besides Canopy's own pages. */
export function RenderAllowList({ initial }: { initial: AllowList }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.render.allowedHosts.queryOptions(undefined, { initialData: initial }));
  const refresh = () => queryClient.invalidateQueries(trpc.render.allowedHosts.pathFilter());
  const allow = useMutation(trpc.render.allowHost.mutationOptions({ onSettled: refresh }));
  const disallow = useMutation(trpc.render.disallowHost.mutationOptions({ onSettled: refresh }));
  const [host, setHost] = useState("");
  const [error, run] = useActionError();

  async function onAdd(event: React.FormEvent) {
    event.preventDefault();
    if (await run(() => allow.mutateAsync({ host }))) setHost("");
  }

  const data = list.data ?? initial;
  return (
    <ListPanel
      id="render-hosts"
      title="Render farm allow list"
      description={
        <>
          Thin-device sessions may load Canopy&apos;s own pages and these hosts. Private, loopback and metadata addresses stay refused whatever is
          listed here.
        </>
      }
      listLabel="Allowed hosts"
      empty={<>No extra hosts: only Canopy&apos;s own pages.</>}
      items={[
        ...data.environment.map((entry) => (
          <li key={`env-${entry}`}>
            <code>{entry}</code> <span className="muted">from RENDER_ALLOWED_HOSTS</span>
          </li>
        )),
        ...data.managed.map((entry) => (
          <li key={entry.host} className="button-row">
            <span>
              <code>{entry.host}</code>{" "}
              <span className="muted">
                added by {entry.addedBy}, <LocalTime value={entry.createdAt} />
              </span>
            </span>
            <button type="button" className="button button-small" onClick={() => run(() => disallow.mutateAsync({ host: entry.host }))} disabled={disallow.isPending}>
              Remove<span className="visually-hidden"> {entry.host}</span>
            </button>
          </li>
        )),
      ]}
    >
      <form className="stack" onSubmit={onAdd}>
        <label htmlFor="render-host">Host to allow</label>
        <div className="button-row">
          <input id="render-host" name="host" value={host} onChange={(event) => setHost(event.target.value)} placeholder="example.com or *.example.org" maxLength={260} required />
          <button type="submit" className="button button-primary" disabled={allow.isPending} aria-busy={allow.isPending}>
            Allow host
          </button>
        </div>
        <ErrorAlert message={error} />
      </form>
    </ListPanel>
  );
}
