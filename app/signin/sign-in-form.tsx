"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "../_components/error-alert";
import { PasswordField, UsernameField } from "../_components/account-fields";
import { SubmitButton } from "../_components/submit-button";

type FieldErrors = { username?: string; password?: string };

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState(initialError);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get("username") ?? "").trim();
    const password = String(form.get("password") ?? "");

    const errors: FieldErrors = {};
    if (!username) errors.username = "Enter your username";
    if (!password) errors.password = "Enter your password";
    setFieldErrors(errors);
    setError(undefined);
    if (errors.username) return usernameRef.current?.focus();
    if (errors.password) return passwordRef.current?.focus();

    setPending(true);
    try {
      const result = await signIn("credentials", { username, password, redirect: false });
      if (!result?.ok || result.error) {
        setError(
          result?.error === "CredentialsSignin" || result?.status === 401
            ? "Wrong username or password."
            : "Sign-in failed. Try again in a moment.",
        );
        setPending(false);
        passwordRef.current?.select();
        passwordRef.current?.focus();
        return;
      }
      router.push(callbackUrl);
      router.refresh();
      // Stay "pending" until the next page replaces this one.
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <ErrorAlert message={error} />
      <UsernameField id="signin-username" error={fieldErrors.username} inputRef={usernameRef} />
      <PasswordField id="signin-password" autoComplete="current-password" error={fieldErrors.password} inputRef={passwordRef} />
      <SubmitButton pending={pending} label="Sign in" pendingStatus="Signing in…" />
    </form>
  );
}
