import type { Metadata } from "next";
import { requireUser } from "../_lib/current-user";
import { serverCaller } from "../_lib/server-caller";
import { Dashboard } from "./dashboard";

export const metadata: Metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

/** The streamer's own channel: stream key, how to connect, status, stats and channel details. */
export default async function DashboardPage() {
  await requireUser("/dashboard");
  const caller = await serverCaller();
  const [dashboard, directories] = await Promise.all([caller.streams.dashboard(), caller.streams.directories()]);
  return <Dashboard initialDashboard={dashboard} directories={directories} />;
}
