"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { LocalTime } from "../../_components/local-time";
import { ProposalStateBadge } from "../../_components/review/proposal-state";
import { useAppsEvents } from "../../_components/review/use-apps-events";
import styles from "../../_components/review/review.module.css";
import { useTRPC } from "../../_trpc/client";
import type { RouterOutputs } from "../../_trpc/types";

export function NotificationList({ initial }: { initial: RouterOutputs["review"]["notifications"] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.review.notifications.queryOptions({}, { initialData: initial }));
  const refresh = () => queryClient.invalidateQueries(trpc.review.notifications.pathFilter());
  const markRead = useMutation(trpc.review.markRead.mutationOptions({ onSuccess: refresh }));
  useAppsEvents({ notification: () => void refresh() });
  const data = list.data ?? initial;

  return (
    <section className="card" aria-labelledby="notifications-title">
      <div className="card-header">
        <h2 id="notifications-title">{data.unread} unread</h2>
        <button type="button" className="button button-small" disabled={data.unread === 0 || markRead.isPending} onClick={() => markRead.mutate({})}>
          Mark all read
        </button>
      </div>
      {data.items.length === 0 ? <p className="muted">Nothing yet.</p> : null}
      <ul style={{ listStyle: "none", padding: 0 }} className="stack" aria-live="polite" data-testid="notifications">
        {data.items.map((item) => (
          <li key={item.id} className={item.readAt ? undefined : styles.unread}>
            <ProposalStateBadge state={item.state} /> {item.proposalId ? <Link href={`/staff/proposals/${item.proposalId}`}>{item.message}</Link> : item.message}{" "}
            <span className="small muted">
              <LocalTime value={item.createdAt} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
