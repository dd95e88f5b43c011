import type { Metadata } from "next";
import { ProposalView } from "../../../_components/review/proposal-view";
import { requireUser } from "../../../_lib/current-user";
import { notFoundIfRefused, serverCaller } from "../../../_lib/server-caller";

export const metadata: Metadata = { title: "Proposal" };
export const dynamic = "force-dynamic";

/** Staff review a proposal here; its author reads the same page (without votes to cast). */
export default async function ProposalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/staff/proposals/${id}`);
  const caller = await serverCaller();
  const proposal = await caller.review.get({ proposalId: id }).catch(notFoundIfRefused);
  return (
    <ProposalView initial={proposal} viewer={{ userId: user.userId, isStaff: user.role === "STAFF" }} />
  );
}
