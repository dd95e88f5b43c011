import type { Metadata } from "next";
import Link from "next/link";
import { currentUser } from "../_lib/current-user";
import { safeCallbackUrl } from "../_lib/safe-callback";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

// Errors next-auth may put in the query string when it redirects here itself.
const nextAuthErrors: Record<string, string> = {
  CredentialsSignin: "Wrong username or password.",
  SessionRequired: "Sign in to see that page.",
};

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  const errorCode = typeof params.error === "string" ? params.error : undefined;
  const initialError = errorCode ? (nextAuthErrors[errorCode] ?? "Sign-in failed. Try again.") : undefined;
  const user = await currentUser();
  const signUpHref = callbackUrl === "/" ? "/signup" : `/signup?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  return (
    <div className="auth-page">
      <div className="card auth-card">
        <h1>Sign in</h1>
        {user ? (
          <p className="alert alert-info" style={{ marginBottom: "1rem" }}>
            You are signed in as <strong>{user.username}</strong>. Signing in again switches to another account.
          </p>
        ) : null}
        <SignInForm callbackUrl={callbackUrl} initialError={initialError} />
        <p className="auth-alt">
          New to Canopy? <Link href={signUpHref}>Create an account</Link>
        </p>
      </div>
    </div>
  );
}
