"use client";

// Revisions of the open file (author, message, time) with a diff against the editor's content
// and a restore, which is itself a new revision.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { LocalTime } from "@/app/_components/local-time";
import { useTRPC } from "@/app/_trpc/client";
import { errorInfo } from "@/app/_trpc/errors";
import type { DraftStore } from "./draft-store";
import { LazyDiffPane } from "./lazy";
import { ErrorAlert } from "../../../../_components/error-alert";

export function HistoryPanel({ store, path, current, draftVersion, dark }: { store: DraftStore; path: string | null; current: string | null; draftVersion: number; dark: boolean }) {
  const trpc = useTRPC();
  const [selected, setSelected] = useState<number | null>(null);
  const [restoring, setRestoring] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const history = useQuery({ ...trpc.apps.history.queryOptions({ appId: store.appId, path: path ?? undefined, limit: 50 }), enabled: !!path });
  const revision = useQuery({ ...trpc.apps.readRevision.queryOptions({ appId: store.appId, revisionId: selected ?? 0 }), enabled: selected !== null });
  const { refetch } = history;
  // Every save or restore is a new revision: show it without a manual refresh.
  useEffect(() => {
    if (path) void refetch();
  }, [draftVersion, path, refetch]);

  if (!path) return <p className="muted">Open a file to see its history.</p>;
  if (history.isPending) return <p className="muted">Loading history…</p>;
  if (history.error) return <p className="alert alert-error">{errorInfo(history.error).message}</p>;

  const restore = async (revisionId: number) => {
    setRestoring(true);
    setError(null);
    try {
      await store.restoreRevision(revisionId);
      await history.refetch();
    } catch (caught) {
      setError(errorInfo(caught).message);
    } finally {
      setRestoring(false);
    }
  };

  return (
    <div className="stack" style={{ gap: "0.75rem" }}>
      <div className="button-row">
        <button type="button" className="button button-small" onClick={() => void history.refetch()}>
          Refresh
        </button>
        <span className="small muted">
          {history.data.length} revision{history.data.length === 1 ? "" : "s"} of <code>{path}</code>
        </span>
      </div>
      <ErrorAlert message={error} />
      <ol className="history-list" style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "0.25rem" }}>
        {history.data.map((item) => (
          <li key={item.id}>
            <button
              type="button"
              className="button button-ghost"
              style={{ width: "100%", justifyContent: "space-between", textAlign: "left", minHeight: "var(--tap)" }}
              aria-pressed={selected === item.id}
              onClick={() => setSelected(item.id)}
            >
              <span>
                #{item.id} {item.deleted ? "(deleted) " : item.renamedFrom ? `(renamed from ${item.renamedFrom}) ` : ""}
                {item.message || "Saved"}
              </span>
              <span className="small muted">
                {item.author?.displayName ?? item.author?.username ?? "unknown"} · <LocalTime value={item.createdAt} />
              </span>
            </button>
          </li>
        ))}
      </ol>
      {selected !== null ? (
        revision.data ? (
          <div className="stack" style={{ gap: "0.5rem" }}>
            {revision.data.encoding === "utf8" && current !== null ? (
              <LazyDiffPane path={path} original={revision.data.content} modified={current} dark={dark} originalLabel={`Revision #${revision.data.id}`} modifiedLabel="In the editor now" />
            ) : (
              <p className="muted">This revision is binary or deleted: no text diff.</p>
            )}
            <div className="button-row">
              <button type="button" className="button button-primary" disabled={restoring} aria-busy={restoring} onClick={() => void restore(selected)}>
                Restore revision #{selected}
              </button>
            </div>
          </div>
        ) : revision.error ? (
          <p className="alert alert-error">{errorInfo(revision.error).message}</p>
        ) : (
          <p className="muted">Loading revision…</p>
        )
      ) : null}
    </div>
  );
}
