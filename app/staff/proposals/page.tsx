import type { Metadata } from "next";
import Link from "next/link";
import { DataTable, type Column } from "../../_components/data-table";
import { LocalTime } from "../../_components/local-time";
import { ProposalStateBadge } from "../../_components/review/proposal-state";
import { serverCaller } from "../../_lib/server-caller";
import type { RouterOutputs } from "../../_trpc/types";
import { refuseNonStaff } from "../staff-only";
import { StaffPageHeader } from "../staff-page-header";

export const metadata: Metadata = { title: "Deployment proposals" };
export const dynamic = "force-dynamic";

const filters = [
  ["OPEN", "Open"],
  ["ACCEPTED", "Accepted"],
  ["FAILED", "Failed"],
  ["REJECTED", "Rejected"],
  ["WITHDRAWN", "Withdrawn"],
  ["DROPPED", "Dropped"],
  ["ALL", "All"],
] as const;

const columns: Column<RouterOutputs["review"]["list"][number]>[] = [
  { label: "#", cell: (proposal) => proposal.number },
  {
    label: "Proposal",
    // One child: stacked table cells lay their children out in a row.
    cell: (proposal) => (
      <div>
        <Link href={`/staff/proposals/${proposal.id}`}>{proposal.title}</Link>
        {proposal.kind === "ROLLBACK" ? <span className="muted"> (rollback)</span> : null}
        {proposal.permissions.length ? <div className="small muted">permissions: {proposal.permissions.join(", ")}</div> : null}
      </div>
    ),
  },
  { label: "App", cell: (proposal) => <code>{proposal.appId}</code> },
  { label: "Author", cell: (proposal) => proposal.author.username },
  { label: "State", cell: (proposal) => <ProposalStateBadge state={proposal.state} /> },
  { label: "Votes", cell: (proposal) => `+${proposal.approvals} / −${proposal.rejections} · ${proposal._count.comments} comments` },
  { label: "Opened", cell: (proposal) => <LocalTime value={proposal.createdAt} /> },
];

export default async function ProposalsPage({ searchParams }: { searchParams: Promise<{ state?: string; app?: string }> }) {
  const refusal = await refuseNonStaff("/staff/proposals");
  if (refusal) return refusal;
  const params = await searchParams;
  const state = filters.some(([id]) => id === params.state) ? params.state! : "OPEN";
  const caller = await serverCaller();
  const proposals = await caller.review.list({ state: state === "ALL" ? undefined : (state as "OPEN"), limit: 100 });

  return (
    <div className="stack">
      <StaffPageHeader title="Deployment proposals">
        <p>Developers propose bundles; staff other than the author approve or reject them. Accepted proposals deploy at once.</p>
        <nav aria-label="Filter by state" className="button-row">
          {filters.map(([id, label]) => (
            <Link key={id} href={`/staff/proposals?state=${id}`} className={`button button-small ${id === state ? "button-primary" : ""}`} aria-current={id === state ? "page" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </StaffPageHeader>
      <section className="card">
        <DataTable rows={proposals} rowKey={(proposal) => proposal.id} columns={columns} empty="No proposals here." />
      </section>
    </div>
  );
}
