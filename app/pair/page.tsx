import type { Metadata } from "next";
import { requireUser } from "../_lib/current-user";
import { PairForm } from "./pair-form";

export const metadata: Metadata = { title: "Pair a thin device" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Members: sign in a thin device (the /thin page) by typing the code it shows. */
export default async function PairPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser("/pair");
  const params = await searchParams;
  const code = typeof params.code === "string" ? params.code.slice(0, 20) : "";
  return (
    <div className="auth-page">
      <div className="card auth-card">
        <h1>Pair a thin device</h1>
        <p className="muted">
          Open <code>/thin</code> on the device; it shows a code. Enter it here and the device is signed in as <strong>{user.username}</strong> with a
          personal API token you can revoke on your account page.
        </p>
        <PairForm initialCode={code} />
      </div>
    </div>
  );
}
