"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import type { RouterOutputs } from "../_trpc/types";

type Placements = RouterOutputs["appPages"]["placements"];
type Placement = Placements[number]["requested"][number];

const placementLabels: Record<Placement, string> = { "channel-tab": "Channel tab", nav: "Navigation", "chat-card": "Chat card" };

/** Staff: where each deployed app page may show, among the placements its app.json asks for. */
export function AppPlacements({ initial }: { initial: Placements }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.appPages.placements.queryOptions(undefined, { initialData: initial }));
  const save = useMutation(trpc.appPages.setPlacements.mutationOptions({ onSettled: () => queryClient.invalidateQueries(trpc.appPages.placements.pathFilter()) }));
  const [error, setError] = useState<string>();

  async function toggle(page: Placements[number], placement: Placement, on: boolean) {
    setError(undefined);
    const allowed = on ? [...page.allowed, placement] : page.allowed.filter((entry) => entry !== placement);
    try {
      await save.mutateAsync({ appId: page.appId, pageId: page.pageId, allowed });
    } catch (failure) {
      setError(errorInfo(failure).message);
    }
  }

  const pages = list.data ?? initial;
  return (
    <section className="card" aria-labelledby="app-placements-title">
      <div className="card-header">
        <h2 id="app-placements-title">App page placements</h2>
      </div>
      <p className="muted">
        Published pages always have their own address. They show beside chat, in the navigation or under chat messages only where their
        app asks for it and you allow it here.
      </p>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      <ul className="stack" aria-label="App pages">
        {pages.map((page) => (
          <li key={`${page.appId}/${page.pageId}`} className="stack">
            <div>
              <strong>{page.title}</strong> <span className="muted">({page.appName})</span>{" "}
              {page.published && page.running ? <Link href={`/a/${page.appId}/${page.pageId}`}>/a/{page.appId}/{page.pageId}</Link> : <span className="muted">not published</span>}
            </div>
            {page.requested.length ? (
              <fieldset className="button-row">
                <legend className="visually-hidden">Placements of {page.title}</legend>
                {page.requested.map((placement) => (
                  <label key={placement}>
                    <input
                      type="checkbox"
                      checked={page.allowed.includes(placement)}
                      disabled={save.isPending}
                      onChange={(event) => toggle(page, placement, event.target.checked)}
                    />{" "}
                    {placementLabels[placement]}
                  </label>
                ))}
              </fieldset>
            ) : (
              <span className="muted">Asks for no placements beyond its own page.</span>
            )}
          </li>
        ))}
        {pages.length === 0 ? <li className="muted">No deployed app declares pages.</li> : null}
      </ul>
    </section>
  );
}
