import type { Metadata } from "next";
import { requireUser } from "../../_lib/current-user";
import { serverCaller } from "../../_lib/server-caller";
import { NotificationList } from "./notification-list";

export const metadata: Metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

export default async function NotificationsPage() {
  await requireUser("/account/notifications");
  const initial = await (await serverCaller()).review.notifications({});
  return (
    <div className="stack">
      <header className="page-header">
        <h1>Notifications</h1>
        <p>What happened to your proposals and apps. New ones appear here as they happen.</p>
      </header>
      <NotificationList initial={initial} />
    </div>
  );
}
