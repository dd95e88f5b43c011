import type { Metadata } from "next";
import { requireUser } from "../_lib/current-user";
import { serverCaller } from "../_lib/server-caller";
import { roleLabel } from "../_lib/services-info";
import { PasswordForm } from "./password-form";
import { ProfileForm } from "./profile-form";
import { TokensPanel } from "./tokens-panel";

export const metadata: Metadata = { title: "Account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requireUser("/account");
  const tokens = await (await serverCaller()).tokens.list();

  return (
    <div className="stack">
      <header className="page-header">
        <h1>Your account</h1>
        <p>
          Signed in as <strong>{user.username}</strong> · <span className="role-badge">{roleLabel[user.role]}</span>
        </p>
      </header>

      <div className="grid-2">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <ProfileForm username={user.username} displayName={user.displayName} />
        </section>
        <section className="card" aria-labelledby="password-title">
          <h2 id="password-title">Change password</h2>
          <PasswordForm />
        </section>
      </div>

      <section className="card" id="tokens" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Personal API tokens</h2>
        <p className="muted">
          Tokens let scripts and the CLI act as you. Send one as <code>Authorization: Bearer &lt;token&gt;</code> with each request.
        </p>
        <TokensPanel initialTokens={tokens} />
      </section>
    </div>
  );
}
