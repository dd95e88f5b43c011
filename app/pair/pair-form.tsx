"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field } from "../_components/field";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";

export function PairForm({ initialCode }: { initialCode: string }) {
  const trpc = useTRPC();
  const approve = useMutation(trpc.render.pairApprove.mutationOptions());
  const [error, setError] = useState<string>();
  const [paired, setPaired] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").trim();
    setError(undefined);
    if (!code) return setError("Enter the code shown on the device");
    try {
      const result = await approve.mutateAsync({ code });
      setPaired(result.code);
    } catch (failure) {
      const info = errorInfo(failure);
      setError(info.fields.code ?? info.message);
    }
  }

  if (paired) {
    return (
      <p className="alert alert-success" role="status">
        Device {paired} is signed in. It picks this up within a few seconds.
      </p>
    );
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <Field
        id="pair-code"
        name="code"
        label="Code"
        hint="Eight letters and digits, like ABCD-2345."
        defaultValue={initialCode}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={20}
        error={error}
      />
      <button type="submit" className="button button-primary" disabled={approve.isPending}>
        {approve.isPending ? "Pairing…" : "Pair device"}
      </button>
    </form>
  );
}
