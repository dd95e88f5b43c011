"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorAlert } from "../_components/error-alert";
import { ListPanel } from "../_components/list-panel";
import { useActionError } from "../_components/use-action-error";
import { useTRPC } from "../_trpc/client";
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
  const [error, run] = useActionError();

  function toggle(page: Placements[number], placement: Placement, on: boolean) {
    const allowed = on ? [...page.allowed, placement] : page.allowed.filter((entry) => entry !== placement);
    return run(() => save.mutateAsync({ appId: page.appId, pageId: page.pageId, allowed }));
  }

  const pages = list.data ?? initial;
  return (
    <ListPanel
      id="app-placements"
      title="App page placements"
      description="Published pages always have their own address. They show beside chat, in the navigation or under chat messages only where their app asks for it and you allow it here."
      listLabel="App pages"
      empty="No deployed app declares pages."
      items={pages.map((page) => (
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
                  <input type="checkbox" checked={page.allowed.includes(placement)} disabled={save.isPending} onChange={(event) => toggle(page, placement, event.target.checked)} />{" "}
                  {placementLabels[placement]}
                </label>
              ))}
            </fieldset>
          ) : (
            <span className="muted">Asks for no placements beyond its own page.</span>
          )}
        </li>
      ))}
    >
      <ErrorAlert message={error} />
    </ListPanel>
  );
}
