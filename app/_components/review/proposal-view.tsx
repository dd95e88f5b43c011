"use client";

// One proposal as reviewers and its author see it: state and deploy progress (live), votes,
// automatic checks, permission changes, the other sites app.json declares, README, the diff
// against the deployed version and the comment thread.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { LocalTime } from "../local-time";
import { useTRPC, useTRPCClient } from "../../_trpc/client";
import { errorInfo } from "../../_trpc/errors";
import type { RouterOutputs } from "../../_trpc/types";
import { DeployProgress } from "./deploy-progress";
import { FileDiffView } from "./file-diff";
import { ProposalStateBadge } from "./proposal-state";
import { useAppsEvents } from "./use-apps-events";
import styles from "./review.module.css";
import { ErrorAlert } from "../error-alert";

type ProposalDetail = RouterOutputs["review"]["get"];

export function ProposalView({ initial, viewer }: { initial: ProposalDetail; viewer: { userId: string; isStaff: boolean } }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const input = { proposalId: initial.id };
  const query = useQuery(trpc.review.get.queryOptions(input, { initialData: initial }));
  const proposal = query.data ?? initial;
  const [liveStep, setLiveStep] = useState<{ step: string; state: string } | null>(null);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [previewing, setPreviewing] = useState(false);
  const [comment, setComment] = useState("");
  const [commentPath, setCommentPath] = useState("");
  const [showUnchanged, setShowUnchanged] = useState(false);
  const refresh = () => queryClient.invalidateQueries(trpc.review.get.queryFilter(input));

  useAppsEvents({
    "proposal:progress": (event) => {
      if (event.proposalId !== proposal.id) return;
      setLiveStep({ step: event.step, state: event.state });
      if (event.step === "switched" || event.state === "FAILED") void refresh();
    },
    notification: (event) => {
      if (event.proposalId === proposal.id) void refresh();
    },
  });

  const onDone = { onSuccess: () => refresh(), onError: (failure: unknown) => setError(errorInfo(failure).message) };
  const vote = useMutation(trpc.review.vote.mutationOptions(onDone));
  const withdraw = useMutation(trpc.review.withdraw.mutationOptions(onDone));
  const preview = useMutation(trpc.review.preview.mutationOptions({ onError: onDone.onError }));
  const addComment = useMutation(trpc.review.comment.mutationOptions(onDone));

  const isAuthor = proposal.authorId === viewer.userId;
  const open = proposal.state === "OPEN";
  const step = liveStep?.step ?? proposal.deployStep;
  const deploying = vote.isPending && !liveStep ? "validating" : step;
  const failed = proposal.state === "FAILED" || liveStep?.state === "FAILED";
  const myVote = proposal.votes.find((item) => item.voterId === viewer.userId);
  const changed = proposal.diff.filter((file) => file.status !== "unchanged");

  async function exportCcf() {
    try {
      const ccf = await client.review.exportCcf.query(input);
      const url = URL.createObjectURL(new Blob([JSON.stringify(ccf, null, 2)], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `${proposal.appId}-proposal-${proposal.number}.json`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (failure) {
      setError(errorInfo(failure).message);
    }
  }

  return (
    <div className="stack">
      <header className="page-header">
        <p className="eyebrow">
          {proposal.kind === "ROLLBACK" ? "Rollback" : "Deployment proposal"} #{proposal.number} · app <code>{proposal.appId}</code>
        </p>
        <h1>{proposal.title}</h1>
        <p>
          <ProposalStateBadge state={proposal.state} /> by <strong>{proposal.author.username}</strong>, <LocalTime value={proposal.createdAt} />
          {proposal.stateReason ? <span className="muted"> — {proposal.stateReason}</span> : null}
        </p>
        <p className="muted small">
          Bundle <code>{proposal.contentHash.slice(0, 16)}</code>
          {proposal.app?.activeDeployment ? (
            <>
              {" "}
              · deployed now: #{proposal.app.activeDeployment.number} <code>{proposal.app.activeDeployment.contentHash.slice(0, 16)}</code>
            </>
          ) : proposal.app ? (
            " · nothing deployed yet"
          ) : (
            " · the app was deleted"
          )}
        </p>
      </header>

      <ErrorAlert message={error} />
      {notice ? (
        <div className="alert alert-info" role="status">
          <p>{notice}</p>
          {previewing ? (
            <ul>
              {proposal.pages.map((page) => (
                <li key={page.id}>
                  <a href={`/a/${proposal.appId}/${page.id}?preview=1`} target="_blank" rel="noreferrer">
                    {page.title}
                  </a>
                </li>
              ))}
              <li>
                API: <code>{`/apps/${proposal.appId}/preview/api/…`}</code>
              </li>
            </ul>
          ) : null}
        </div>
      ) : null}

      {proposal.state === "ACCEPTED" || proposal.state === "FAILED" || vote.isPending || liveStep ? (
        <section className="card" aria-labelledby="progress-title">
          <h2 id="progress-title">Deployment</h2>
          <DeployProgress step={deploying} failed={failed} />
          {proposal.state === "FAILED" ? <p className="alert alert-error">Failed: {proposal.stateReason}. The previous version keeps running.</p> : null}
          {proposal.deploymentId && proposal.deployStep === "switched" ? <p className="alert alert-success">Live: the app now runs this bundle.</p> : null}
        </section>
      ) : null}

      <section className="card" aria-labelledby="votes-title">
        <h2 id="votes-title">Review</h2>
        <p>
          <strong>{proposal.approvals}</strong> of {proposal.approvalsRequired} approvals needed · {proposal.rejections} rejections
        </p>
        <ul>
          {proposal.votes.map((item) => (
            <li key={item.voterId}>
              {item.voter.username}: {item.approve ? "approved" : "rejected"} {item.voterId === proposal.authorId ? "(author, not counted)" : ""}
            </li>
          ))}
        </ul>
        <div className="button-row">
          {viewer.isStaff && open && !isAuthor ? (
            <>
              <button type="button" className="button button-primary" disabled={vote.isPending} onClick={() => vote.mutate({ ...input, approve: true })}>
                {myVote?.approve ? "Approved ✓" : "Approve"}
              </button>
              <button type="button" className="button button-danger" disabled={vote.isPending} onClick={() => vote.mutate({ ...input, approve: false })}>
                {myVote && !myVote.approve ? "Rejected ✓" : "Reject"}
              </button>
            </>
          ) : null}
          {viewer.isStaff && open && isAuthor ? <span className="muted">You wrote this proposal; other staff approve it.</span> : null}
          {isAuthor && open ? (
            <button type="button" className="button" disabled={withdraw.isPending} onClick={() => withdraw.mutate(input)}>
              Withdraw
            </button>
          ) : null}
          <button
            type="button"
            className="button"
            disabled={preview.isPending}
            onClick={() =>
              preview.mutate(input, {
                onSuccess: (result) => {
                  setPreviewing(result.ok);
                  setNotice(result.ok ? `Private preview of ${proposal.appId} is running (only its owner and staff can open it).` : `Preview failed at ${result.step}: ${result.reason}`);
                },
              })
            }
          >
            {preview.isPending ? "Starting preview…" : "Run in private preview"}
          </button>
          <button type="button" className="button" onClick={exportCcf}>
            Export (CCF set_js_app)
          </button>
        </div>
      </section>

      <TextSection id="changelog-title" title="Changelog" text={proposal.changelog} />

      <section className="card" aria-labelledby="checks-title">
        <h2 id="checks-title">Automatic checks</h2>
        <ul className={styles.checks}>
          {proposal.checks.map((check) => (
            <li key={check.id} className={styles[`check${check.status}`]} data-check={check.id} data-status={check.status}>
              <strong>{check.status === "pass" ? "✓" : check.status === "warn" ? "⚠" : "✗"} {check.title}</strong>
              <ul className="small">
                {check.details.map((detail) => (
                  <li key={detail}>{detail}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
        <h3>Permissions</h3>
        <p data-testid="permissions">
          {proposal.permissionChanges.proposed.length === 0 && proposal.permissionChanges.removed.length === 0 ? <span className="muted">none</span> : null}
          {proposal.permissionChanges.proposed.map((name) => (
            <span key={name} className={proposal.permissionChanges.added.includes(name) ? styles.permAdded : undefined} style={{ marginRight: "0.6rem" }}>
              {name}
              {proposal.permissionChanges.added.includes(name) ? " (new)" : ""}
            </span>
          ))}
          {proposal.permissionChanges.removed.map((name) => (
            <span key={name} className={styles.permRemoved} style={{ marginRight: "0.6rem" }}>
              {name}
            </span>
          ))}
        </p>
        {proposal.permissionScopes.length ? (
          <dl className="small" data-testid="permission-scopes">
            {proposal.permissionScopes.map((entry) => (
              <div key={entry.permission}>
                <dt>
                  <strong>{entry.permission}</strong>
                </dt>
                <dd>{entry.scope}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        <h3>Other sites</h3>
        {proposal.declaredOrigins.length ? (
          <dl className="small" data-testid="declared-origins">
            {proposal.declaredOrigins.map((entry) => (
              <div key={entry.declaration}>
                <dt>
                  <strong>{entry.declaration}</strong>
                </dt>
                <dd>
                  {entry.scope}{" "}
                  {entry.origins.map((origin) => (
                    <code key={origin} className={entry.added.includes(origin) ? styles.permAdded : undefined} style={{ marginRight: "0.6rem" }}>
                      {origin}
                      {entry.added.includes(origin) ? " (new)" : ""}
                    </code>
                  ))}
                </dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="small muted" data-testid="declared-origins">
            none: its endpoints redirect only inside the app, no other site reads them, its pages load only from the platform
          </p>
        )}
      </section>

      <TextSection id="readme-title" title="README" text={proposal.readme} />

      <section className="card" aria-labelledby="diff-title">
        <h2 id="diff-title">Files changed ({changed.length})</h2>
        <p className="muted small">Against {proposal.app?.activeDeployment ? `deployment #${proposal.app.activeDeployment.number}` : "an empty app (first deployment)"}.</p>
        {changed.map((file) => (
          <FileDiffView key={file.path} file={file} />
        ))}
        {proposal.diff.length > changed.length ? (
          <button type="button" className="button button-small" onClick={() => setShowUnchanged(!showUnchanged)}>
            {showUnchanged ? "Hide" : "Show"} {proposal.diff.length - changed.length} unchanged files
          </button>
        ) : null}
        {showUnchanged ? (
          <ul className="small">
            {proposal.diff
              .filter((file) => file.status === "unchanged")
              .map((file) => (
                <li key={file.path}>{file.path}</li>
              ))}
          </ul>
        ) : null}
      </section>

      <section className="card" aria-labelledby="comments-title">
        <h2 id="comments-title">Comments ({proposal.comments.length})</h2>
        {proposal.comments.map((item) => (
          <div key={item.id} className={styles.comment}>
            <p className="small muted">
              <strong>{item.author.username}</strong> · <LocalTime value={item.createdAt} />
              {item.path ? <> · on <code>{item.path}</code></> : null}
            </p>
            <p style={{ whiteSpace: "pre-wrap" }}>{item.body}</p>
          </div>
        ))}
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            addComment.mutate({ ...input, body: comment, path: commentPath || undefined }, { onSuccess: () => setComment("") });
          }}
        >
          <div className="field">
            <label htmlFor="comment-path">On</label>
            <select id="comment-path" className="select" value={commentPath} onChange={(event) => setCommentPath(event.target.value)}>
              <option value="">the whole proposal</option>
              {changed.map((file) => (
                <option key={file.path} value={file.path}>
                  {file.path}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="comment">Add a comment</label>
            <textarea id="comment" className="input" rows={3} value={comment} maxLength={5000} onChange={(event) => setComment(event.target.value)} />
          </div>
          <div className="button-row">
            <button type="submit" className="button" disabled={addComment.isPending || !comment.trim()}>
              Comment
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}

/** A titled card of preformatted text (changelog, README); nothing when there is no text. */
function TextSection({ id, title, text }: { id: string; title: string; text: string | null | undefined }) {
  if (!text) return null;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <pre className={styles.readme}>{text}</pre>
    </section>
  );
}
