import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "../_lib/current-user";
import { serverCaller } from "../_lib/server-caller";
import { roleLabel } from "../_lib/services-info";
import { StatusPanel } from "./status-panel";
import { UserAdmin } from "./user-admin";
import { RenderAllowList } from "./render-allow-list";
import { AppPlacements } from "./app-placements";

export const metadata: Metadata = { title: "Staff" };
export const dynamic = "force-dynamic";

export default async function StaffPage() {
  const user = await requireUser("/staff");

  if (user.role !== "STAFF") {
    return (
      <div className="message-page">
        <p className="eyebrow">Error 403</p>
        <h1>Staff only</h1>
        <p className="muted">
          This page is for Canopy staff. You are signed in as <strong>{user.username}</strong> with the{" "}
          <strong>{roleLabel[user.role]}</strong> role.
        </p>
        <div className="button-row">
          <Link href="/" className="button button-primary">
            Go to the home page
          </Link>
          <Link href="/dev" className="button">
            Dev hub
          </Link>
        </div>
      </div>
    );
  }

  const caller = await serverCaller();
  const [services, workers, users, allowedHosts, placements] = await Promise.all([
    caller.status.services(),
    caller.status.workers(),
    caller.users.list({}),
    caller.render.allowedHosts(),
    caller.appPages.placements(),
  ]);

  return (
    <div className="stack">
      <header className="page-header">
        <h1>Staff</h1>
        <p>Service health, user administration, the render farm&apos;s allow list and where app pages show.</p>
      </header>
      <StatusPanel initialServices={services} initialWorkers={workers} />
      <UserAdmin me={user.username} initialUsers={users} />
      <RenderAllowList initial={allowedHosts} />
      <AppPlacements initial={placements} />
    </div>
  );
}
