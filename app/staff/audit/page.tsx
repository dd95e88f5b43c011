import type { Metadata } from "next";
import Link from "next/link";
import { auditActions, auditFilterSchema } from "@/server/review/audit-log";
import { DataTable, type Column } from "../../_components/data-table";
import { LocalTime } from "../../_components/local-time";
import styles from "../../_components/review/review.module.css";
import { serverCaller } from "../../_lib/server-caller";
import type { RouterOutputs } from "../../_trpc/types";
import { refuseNonStaff } from "../staff-only";
import { StaffPageHeader } from "../staff-page-header";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const columns: Column<RouterOutputs["review"]["audit"]["entries"][number]>[] = [
  { label: "When", cell: (entry) => <LocalTime value={entry.at} /> },
  { label: "Who", cell: (entry) => entry.actorName },
  { label: "Action", cell: (entry) => <code>{entry.action}</code> },
  { label: "App", cell: (entry) => entry.appId ?? "" },
  {
    label: "Proposal / deployment",
    cell: (entry) => (
      <div className={styles.wrap}>
        {entry.proposalId ? <Link href={`/staff/proposals/${entry.proposalId}`}>proposal</Link> : null} {entry.deploymentId ? <code className="small">{entry.deploymentId.slice(0, 10)}</code> : null}
      </div>
    ),
  },
  { label: "Bundle", cell: (entry) => (entry.bundleHash ? <code title={entry.bundleHash}>{entry.bundleHash.slice(0, 12)}</code> : "") },
  { label: "Details", cell: (entry) => <code className={`small ${styles.wrap}`}>{JSON.stringify(entry.details)}</code> },
];

type Search = { app?: string; actor?: string; action?: string; from?: string; to?: string; before?: string };

/** Every review and operations action, newest first; filters are a plain GET form (works without JS). */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const refusal = await refuseNonStaff("/staff/audit");
  if (refusal) return refusal;
  const params = await searchParams;
  const parsed = auditFilterSchema.safeParse({
    appId: params.app || undefined,
    actor: params.actor || undefined,
    action: params.action || undefined,
    from: params.from || undefined,
    // A date given without a time means the whole of that day.
    to: params.to ? (/^\d{4}-\d{2}-\d{2}$/.test(params.to) ? `${params.to}T23:59:59.999Z` : params.to) : undefined,
    before: params.before ? Number(params.before) : undefined,
  });
  const filter = parsed.success ? parsed.data : { limit: 50 };
  const caller = await serverCaller();
  const { entries, nextBefore } = await caller.review.audit(filter);
  const kept = Object.entries(params).filter(([key, value]) => key !== "before" && typeof value === "string" && value !== "") as [string, string][];
  const more = new URLSearchParams([...kept, ["before", String(nextBefore ?? "")]]);

  return (
    <div className="stack">
      <StaffPageHeader title="Audit log">
        <p>Who did what, when, with which bundle. Entries are never changed or removed.</p>
      </StaffPageHeader>
      <section className="card">
        <form className="inline-form" method="get" aria-label="Filter the audit log">
          <div className="field">
            <label htmlFor="audit-app">App</label>
            <input id="audit-app" name="app" className="input" defaultValue={params.app ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="audit-actor">Who (username)</label>
            <input id="audit-actor" name="actor" className="input" defaultValue={params.actor ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="audit-action">Action</label>
            <select id="audit-action" name="action" className="select" defaultValue={params.action ?? ""}>
              <option value="">Any</option>
              {auditActions.map((action) => (
                <option key={action} value={action}>
                  {action}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-from">From (UTC)</label>
            <input id="audit-from" name="from" type="date" className="input" defaultValue={params.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="audit-to">To (UTC)</label>
            <input id="audit-to" name="to" type="date" className="input" defaultValue={params.to ?? ""} />
          </div>
          <button type="submit" className="button button-primary">
            Filter
          </button>
        </form>
        {!parsed.success ? <p className="alert alert-error">Some filters were not valid and were ignored.</p> : null}
        <DataTable rows={entries} rowKey={(entry) => String(entry.id)} columns={columns} empty="No entries match." testId="audit-table" />
        {nextBefore ? (
          <p>
            <Link href={`/staff/audit?${more}`} className="button">
              Older entries
            </Link>
          </p>
        ) : null}
      </section>
    </div>
  );
}
