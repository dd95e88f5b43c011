import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "../../_components/local-time";
import { ProposalStateBadge } from "../../_components/review/proposal-state";
import { serverCaller } from "../../_lib/server-caller";
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
        {proposals.length === 0 ? (
          <p className="muted">No proposals here.</p>
        ) : (
          <div className="table-wrap">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Proposal</th>
                  <th scope="col">App</th>
                  <th scope="col">Author</th>
                  <th scope="col">State</th>
                  <th scope="col">Votes</th>
                  <th scope="col">Opened</th>
                </tr>
              </thead>
              <tbody>
                {proposals.map((proposal) => (
                  <tr key={proposal.id}>
                    <td data-label="#">{proposal.number}</td>
                    <td data-label="Proposal">
                      {/* One child: stacked table cells lay their children out in a row. */}
                      <div>
                        <Link href={`/staff/proposals/${proposal.id}`}>{proposal.title}</Link>
                        {proposal.kind === "ROLLBACK" ? <span className="muted"> (rollback)</span> : null}
                        {proposal.permissions.length ? <div className="small muted">permissions: {proposal.permissions.join(", ")}</div> : null}
                      </div>
                    </td>
                    <td data-label="App">
                      <code>{proposal.appId}</code>
                    </td>
                    <td data-label="Author">{proposal.author.username}</td>
                    <td data-label="State">
                      <ProposalStateBadge state={proposal.state} />
                    </td>
                    <td data-label="Votes">
                      +{proposal.approvals} / −{proposal.rejections} · {proposal._count.comments} comments
                    </td>
                    <td data-label="Opened">
                      <LocalTime value={proposal.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
