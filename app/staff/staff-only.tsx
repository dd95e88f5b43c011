import Link from "next/link";
import type { ReactElement } from "react";
import { requireUser, type CurrentUser } from "../_lib/current-user";
import { roleLabel } from "../_lib/services-info";

/** What a signed-in non-staff user sees on a staff page. */
export function StaffOnly({ user }: { user: CurrentUser }) {
  return (
    <div className="message-page">
      <p className="eyebrow">Error 403</p>
      <h1>Staff only</h1>
      <p className="muted">
        This page is for Canopy staff. You are signed in as <strong>{user.username}</strong> with the <strong>{roleLabel[user.role]}</strong> role.
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

/** Signs the visitor in (returning to `returnTo`); for anyone but staff, the page to show instead. */
export async function refuseNonStaff(returnTo: string): Promise<ReactElement | null> {
  const user = await requireUser(returnTo);
  return user.role === "STAFF" ? null : <StaffOnly user={user} />;
}
