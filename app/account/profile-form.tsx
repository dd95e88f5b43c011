"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field } from "../_components/field";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import { FormActions } from "../_components/form-actions";

export function ProfileForm({ username, displayName }: { username: string; displayName: string }) {
  const router = useRouter();
  const trpc = useTRPC();
  const update = useMutation(trpc.account.updateProfile.mutationOptions());
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("displayName") ?? "").trim();
    setSaved(false);
    setError(undefined);
    if (!value) return setFieldError("Enter a display name");
    if (value.length > 40) return setFieldError("Display name must be at most 40 characters");
    setFieldError(undefined);
    try {
      await update.mutateAsync({ displayName: value });
      setSaved(true);
      router.refresh(); // the header shows the new name
    } catch (failure) {
      const info = errorInfo(failure);
      if (info.fields.displayName) setFieldError(info.fields.displayName);
      else setError(info.message);
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <dl className="dl">
        <dt>Username</dt>
        <dd>{username}</dd>
      </dl>
      <Field
        id="profile-display-name"
        name="displayName"
        label="Display name"
        hint="The name other people see. Your username stays the same."
        defaultValue={displayName}
        error={fieldError}
        maxLength={40}
        autoComplete="nickname"
        required
        onChange={() => setSaved(false)}
      />
      <FormActions error={error} pending={update.isPending} label="Save profile" done={saved ? "Saved." : undefined} />
    </form>
  );
}
