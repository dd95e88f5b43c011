import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "../_lib/current-user";
import { serverCaller } from "../_lib/server-caller";
import { StaffOnly } from "./staff-only";
import { StatusPanel } from "./status-panel";
import { UserAdmin } from "./user-admin";
import { RenderAllowList } from "./render-allow-list";

export const metadata: Metadata = { title: "Staff" };
export const dynamic = "force-dynamic";

export default async function StaffPage() {
  const user = await requireUser("/staff");

  if (user.role !== "STAFF") return <StaffOnly user={user} />;

  const caller = await serverCaller();
  const [services, workers, users, allowedHosts] = await Promise.all([
    caller.status.services(),
    caller.status.workers(),
    caller.users.list({}),
    caller.render.allowedHosts(),
  ]);

  return (
    <div className="stack">
      <header className="page-header">
        <h1>Staff</h1>
        <p>Service health, user administration and the render farm&apos;s allow list.</p>
        <nav aria-label="Staff sections" className="button-row">
          <Link href="/staff/proposals" className="button">
            Deployment proposals
          </Link>
          <Link href="/staff/apps" className="button">
            Apps operations
          </Link>
          <Link href="/staff/audit" className="button">
            Audit log
          </Link>
        </nav>
      </header>
      <StatusPanel initialServices={services} initialWorkers={workers} />
      <UserAdmin me={user.username} initialUsers={users} />
      <RenderAllowList initial={allowedHosts} />
    </div>
  );
}
