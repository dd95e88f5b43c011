import type { Metadata } from "next";
import Link from "next/link";
import { safeCallbackUrl } from "../_lib/safe-callback";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Sign up" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl);
  const signInHref = callbackUrl === "/" ? "/signin" : `/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  return (
    <div className="auth-page">
      <div className="card auth-card">
        <h1>Create your account</h1>
        <p className="muted">Your username is also the name of your channel.</p>
        <SignUpForm callbackUrl={callbackUrl} />
        <p className="auth-alt">
          Already have an account? <Link href={signInHref}>Sign in</Link>
        </p>
      </div>
    </div>
  );
}
