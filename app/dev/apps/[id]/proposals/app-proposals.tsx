"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { LocalTime } from "../../../../_components/local-time";
import { ProposalStateBadge } from "../../../../_components/review/proposal-state";
import { useAppsEvents } from "../../../../_components/review/use-apps-events";
import { useTRPC } from "../../../../_trpc/client";
import { errorInfo } from "../../../../_trpc/errors";
import type { RouterOutputs } from "../../../../_trpc/types";

type ProposalRow = RouterOutputs["review"]["list"][number];

export function AppProposals({ appId, initial }: { appId: string; initial: ProposalRow[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listInput = { appId, limit: 50 };
  const list = useQuery(trpc.review.list.queryOptions(listInput, { initialData: initial }));
  const [title, setTitle] = useState("");
  const [changelog, setChangelog] = useState("");
  const [error, setError] = useState<{ message: string; fields: Record<string, string> }>();
  const [live, setLive] = useState<string>();
  const refresh = () => queryClient.invalidateQueries(trpc.review.list.queryFilter(listInput));
  const submitted = {
    onSuccess: () => {
      setTitle("");
      setChangelog("");
      void refresh();
    },
    onError: (failure: unknown) => setError(errorInfo(failure)),
  };
  const submit = useMutation(trpc.review.submitDraft.mutationOptions(submitted));
  const submitCcf = useMutation(trpc.review.submitCcf.mutationOptions(submitted));

  /** Imports a proposal in CCF's set_js_app form (e.g. from `npx canopy bundle` or another Canopy). */
  async function importProposal(file: File | undefined) {
    if (!file) return;
    setError(undefined);
    let proposal: unknown;
    try {
      proposal = JSON.parse(await file.text());
    } catch {
      setError({ message: `${file.name} is not JSON`, fields: {} });
      return;
    }
    submitCcf.mutate({ appId, title: title.trim() || file.name.replace(/\.json$/, ""), changelog, proposal });
  }
  useAppsEvents({
    notification: (event) => {
      if (event.appId !== appId) return;
      setLive(event.message);
      void refresh();
    },
    "proposal:progress": (event) => {
      if (event.appId === appId) setLive(`Deploying: ${event.step}${event.state === "FAILED" ? " (failed)" : ""}`);
    },
  });

  return (
    <>
      <section className="card" aria-labelledby="propose-title">
        <h2 id="propose-title">New proposal</h2>
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            setError(undefined);
            submit.mutate({ appId, title, changelog });
          }}
        >
          <div className="field">
            <label htmlFor="proposal-title">Title</label>
            <input id="proposal-title" className="input" value={title} maxLength={120} required onChange={(event) => setTitle(event.target.value)} aria-invalid={!!error?.fields.title} />
            {error?.fields.title ? <p className="field-error">{error.fields.title}</p> : null}
          </div>
          <div className="field">
            <label htmlFor="proposal-changelog">Changelog</label>
            <textarea id="proposal-changelog" className="input" rows={4} value={changelog} maxLength={10_000} onChange={(event) => setChangelog(event.target.value)} />
            <p className="hint">What changed and why; the permissions the app asks for are read from app.json and shown to reviewers.</p>
          </div>
          {error && !error.fields.title ? (
            <p className="alert alert-error" role="alert">
              {error.message}
            </p>
          ) : null}
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={submit.isPending}>
              {submit.isPending ? "Submitting…" : "Submit the draft for review"}
            </button>
          </div>
        </form>
        <div className="field">
          <label htmlFor="proposal-import">Or import a CCF set_js_app proposal (.json)</label>
          <input
            id="proposal-import"
            type="file"
            accept="application/json,.json"
            className="input"
            disabled={submitCcf.isPending}
            onChange={(event) => {
              void importProposal(event.target.files?.[0]);
              event.target.value = "";
            }}
          />
          <p className="hint">Uses the title and changelog above (the file name when the title is empty).</p>
        </div>
        <p className="muted small">
          From a local folder instead: <code>npx canopy propose ./my-app --app {appId}</code> with <code>CANOPY_SERVER_URL</code> and <code>CANOPY_TOKEN</code> set.
        </p>
      </section>

      {live ? (
        <p className="alert alert-info" role="status" aria-live="polite">
          {live}
        </p>
      ) : null}

      <section className="card" aria-labelledby="proposals-title">
        <h2 id="proposals-title">Proposals</h2>
        {(list.data ?? initial).length === 0 ? <p className="muted">None yet.</p> : null}
        <ul style={{ listStyle: "none", padding: 0 }} className="stack">
          {(list.data ?? initial).map((proposal) => (
            <li key={proposal.id} data-proposal={proposal.number}>
              <Link href={`/staff/proposals/${proposal.id}`}>
                #{proposal.number} {proposal.title}
              </Link>{" "}
              <ProposalStateBadge state={proposal.state} /> <span className="small muted">
                +{proposal.approvals} / −{proposal.rejections} · <LocalTime value={proposal.createdAt} />
                {proposal.stateReason ? ` · ${proposal.stateReason}` : ""}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
