"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";

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
      {error ? (
        <p id="signin-error" className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="signin-username">Username</label>
        <input
          ref={usernameRef}
          id="signin-username"
          name="username"
          className="input"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          maxLength={24}
          required
          aria-invalid={fieldErrors.username ? true : undefined}
          aria-describedby={fieldErrors.username ? "signin-username-error" : undefined}
        />
        {fieldErrors.username ? (
          <p id="signin-username-error" className="field-error" role="alert">
            {fieldErrors.username}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="signin-password">Password</label>
        <input
          ref={passwordRef}
          id="signin-password"
          name="password"
          className="input"
          type="password"
          autoComplete="current-password"
          maxLength={200}
          required
          aria-invalid={fieldErrors.password ? true : undefined}
          aria-describedby={fieldErrors.password ? "signin-password-error" : undefined}
        />
        {fieldErrors.password ? (
          <p id="signin-password-error" className="field-error" role="alert">
            {fieldErrors.password}
          </p>
        ) : null}
      </div>
      <button type="submit" className="button button-primary" disabled={pending} aria-busy={pending}>
        {pending ? <span className="spinner" aria-hidden="true" /> : null}
        Sign in
      </button>
      <p className="visually-hidden" role="status">
        {pending ? "Signing in…" : ""}
      </p>
    </form>
  );
}
