"use client";

import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { PasswordField } from "../_components/account-fields";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import { FormActions } from "../_components/form-actions";
import { newPasswordError } from "../_lib/password-rules";

type FieldErrors = { currentPassword?: string; newPassword?: string };

export function PasswordForm() {
  const trpc = useTRPC();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const currentPassword = String(form.get("currentPassword") ?? "");
    const newPassword = String(form.get("newPassword") ?? "");
    setDone(false);
    setError(undefined);

    const errors: FieldErrors = {};
    if (!currentPassword) errors.currentPassword = "Enter your current password";
    const newPasswordProblem = newPasswordError(newPassword);
    if (newPasswordProblem) errors.newPassword = newPasswordProblem;
    setFieldErrors(errors);
    if (errors.currentPassword) return currentRef.current?.focus();
    if (errors.newPassword) return nextRef.current?.focus();

    try {
      await change.mutateAsync({ currentPassword, newPassword });
      formElement.reset();
      setDone(true);
    } catch (failure) {
      const info = errorInfo(failure);
      if (info.fields.newPassword) {
        setFieldErrors({ newPassword: info.fields.newPassword });
        nextRef.current?.focus();
      } else if (info.code === "BAD_REQUEST" && /current password/i.test(info.message)) {
        setFieldErrors({ currentPassword: info.message });
        currentRef.current?.select();
      } else {
        setError(info.message);
      }
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <PasswordField id="password-current" name="currentPassword" label="Current password" autoComplete="current-password" error={fieldErrors.currentPassword} inputRef={currentRef} />
      <PasswordField id="password-new" name="newPassword" label="New password" autoComplete="new-password" hint="At least 8 characters." error={fieldErrors.newPassword} inputRef={nextRef} />
      <FormActions error={error} pending={change.isPending} label="Change password" done={done ? "Password changed." : undefined} />
    </form>
  );
}
