import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "../../../../_lib/current-user";
import { notFoundIfRefused, serverCaller } from "../../../../_lib/server-caller";
import { AppProposals } from "./app-proposals";

export const metadata: Metadata = { title: "Propose a deployment" };
export const dynamic = "force-dynamic";

/** The developer's side of review: propose the draft, follow the proposals of this app. */
export default async function AppProposalsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireUser(`/dev/apps/${id}/proposals`);
  const caller = await serverCaller();
  const [app, proposals] = await Promise.all([caller.apps.get({ appId: id }), caller.review.list({ appId: id, limit: 50 })]).catch(notFoundIfRefused);
  return (
    <div className="stack">
      <header className="page-header">
        <p className="eyebrow">
          <Link href="/dev">Dev hub</Link> · app <code>{app.id}</code>
        </p>
        <h1>Deploy {app.name}</h1>
        <p>Submit the current draft as a proposal. Staff review it (diff, checks, preview) and approve it; it goes live when accepted.</p>
      </header>
      {/* app/dev/layout.tsx provides tRPC and React Query. */}
      <AppProposals appId={app.id} initial={proposals} />
    </div>
  );
}
