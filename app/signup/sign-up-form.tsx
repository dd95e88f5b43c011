"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { PasswordField, UsernameField } from "../_components/account-fields";
import { Field } from "../_components/field";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import { ErrorAlert } from "../_components/error-alert";
import { SubmitButton } from "../_components/submit-button";
import { newPasswordError } from "../_lib/password-rules";

type Fields = "username" | "password" | "displayName";
type FieldErrors = Partial<Record<Fields, string>>;

// Mirrors server/accounts/schemas.ts so most mistakes are caught before a round trip;
// the server stays the judge and its messages are shown the same way.
function validate(values: Record<Fields, string>): FieldErrors {
  const errors: FieldErrors = {};
  const { username, password, displayName } = values;
  if (username.length < 3) errors.username = "Username must be at least 3 characters";
  else if (username.length > 24) errors.username = "Username must be at most 24 characters";
  else if (!/^[A-Za-z0-9_]+$/.test(username)) errors.username = "Username may contain only letters, digits and underscores";
  const passwordError = newPasswordError(password);
  if (passwordError) errors.password = passwordError;
  if (displayName.length > 40) errors.displayName = "Display name must be at most 40 characters";
  return errors;
}

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const trpc = useTRPC();
  const signUp = useMutation(trpc.account.signUp.mutationOptions());
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const displayNameRef = useRef<HTMLInputElement>(null);

  function showFieldErrors(errors: FieldErrors) {
    setFieldErrors(errors);
    if (errors.username) usernameRef.current?.focus();
    else if (errors.displayName) displayNameRef.current?.focus();
    else if (errors.password) passwordRef.current?.focus();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = {
      username: String(form.get("username") ?? "").trim(),
      password: String(form.get("password") ?? ""),
      displayName: String(form.get("displayName") ?? "").trim(),
    };
    setError(undefined);
    const errors = validate(values);
    showFieldErrors(errors);
    if (Object.keys(errors).length) return;

    setPending(true);
    try {
      await signUp.mutateAsync({
        username: values.username,
        password: values.password,
        displayName: values.displayName || undefined,
      });
    } catch (failure) {
      const info = errorInfo(failure);
      setPending(false);
      if (info.code === "CONFLICT") return showFieldErrors({ username: info.message || "That username is taken" });
      const serverFields: FieldErrors = {};
      for (const name of ["username", "password", "displayName"] as const) {
        if (info.fields[name]) serverFields[name] = info.fields[name];
      }
      if (Object.keys(serverFields).length) return showFieldErrors(serverFields);
      setError(info.message);
      return;
    }

    try {
      const result = await import("next-auth/react").then(({ signIn }) =>
        signIn("credentials", { username: values.username, password: values.password, redirect: false }),
      );
      if (!result?.ok || result.error) throw new Error(result?.error ?? "sign-in failed");
      router.push(callbackUrl);
      router.refresh();
    } catch {
      // The account exists; only the automatic sign-in failed.
      router.push(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <ErrorAlert message={error} />
      <UsernameField id="signup-username" hint="3–24 letters, digits or underscores." error={fieldErrors.username} inputRef={usernameRef} />
      <Field
        id="signup-display-name"
        name="displayName"
        label="Display name (optional)"
        hint="How others see you. Defaults to your username."
        error={fieldErrors.displayName}
        inputRef={displayNameRef}
        type="text"
        autoComplete="nickname"
        maxLength={40}
      />
      <PasswordField id="signup-password" autoComplete="new-password" hint="At least 8 characters." error={fieldErrors.password} inputRef={passwordRef} />
      <SubmitButton pending={pending} label="Create account" pendingStatus="Creating your account…" />
    </form>
  );
}
