import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "../../_lib/current-user";
import { serverCaller } from "../../_lib/server-caller";
import { StaffOnly } from "../staff-only";
import { AppsOperations } from "./apps-operations";

export const metadata: Metadata = { title: "Apps operations" };
export const dynamic = "force-dynamic";

export default async function AppsOperationsPage() {
  const user = await requireUser("/staff/apps");
  if (user.role !== "STAFF") return <StaffOnly user={user} />;
  const apps = await (await serverCaller()).review.apps();
  return (
    <div className="stack">
      <header className="page-header">
        <p className="eyebrow">
          <Link href="/staff">Staff</Link>
        </p>
        <h1>Apps operations</h1>
        <p>Each app&apos;s state and resource use; stop, start and restart it, or roll back to any earlier deployment. Every action is audited.</p>
      </header>
      <AppsOperations initial={apps} />
    </div>
  );
}
