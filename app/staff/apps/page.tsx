import type { Metadata } from "next";
import { serverCaller } from "../../_lib/server-caller";
import { refuseNonStaff } from "../staff-only";
import { StaffPageHeader } from "../staff-page-header";
import { AppsOperations } from "./apps-operations";

export const metadata: Metadata = { title: "Apps operations" };
export const dynamic = "force-dynamic";

export default async function AppsOperationsPage() {
  const refusal = await refuseNonStaff("/staff/apps");
  if (refusal) return refusal;
  const apps = await (await serverCaller()).review.apps();
  return (
    <div className="stack">
      <StaffPageHeader title="Apps operations">
        <p>Each app&apos;s state and resource use; stop, start and restart it, or roll back to any earlier deployment. Every action is audited.</p>
      </StaffPageHeader>
      <AppsOperations initial={apps} />
    </div>
  );
}
