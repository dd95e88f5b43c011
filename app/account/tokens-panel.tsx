"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { CopyButton } from "../_components/copy-button";
import { DataTable } from "../_components/data-table";
import { Field } from "../_components/field";
import { LocalTime } from "../_components/local-time";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import type { RouterOutputs } from "../_trpc/types";
import { ErrorAlert } from "../_components/error-alert";

type Token = RouterOutputs["tokens"]["list"][number];
type CreatedToken = RouterOutputs["tokens"]["create"];

export function TokensPanel({ initialTokens }: { initialTokens: Token[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions(undefined, { initialData: initialTokens }));
  const refreshList = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(trpc.tokens.create.mutationOptions({ onSettled: refreshList }));
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSettled: refreshList }));

  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [nameError, setNameError] = useState<string>();
  const [createError, setCreateError] = useState<string>();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [revokeError, setRevokeError] = useState<string>();
  const nameRef = useRef<HTMLInputElement>(null);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get("name") ?? "").trim();
    setCreateError(undefined);
    setNotice("");
    if (!name) {
      setNameError("Name the token");
      return nameRef.current?.focus();
    }
    if (name.length > 60) {
      setNameError("Token name must be at most 60 characters");
      return nameRef.current?.focus();
    }
    setNameError(undefined);
    try {
      const result = await create.mutateAsync({ name });
      formElement.reset();
      setCreated(result);
    } catch (failure) {
      const info = errorInfo(failure);
      if (info.fields.name) setNameError(info.fields.name);
      else setCreateError(info.message);
    }
  }

  function askToRevoke(id: string) {
    setRevokeError(undefined);
    setConfirming(id);
  }

  async function onRevoke(token: Token) {
    setRevokeError(undefined);
    try {
      await revoke.mutateAsync({ id: token.id });
      setConfirming(null);
      setNotice(`Token “${token.name}” revoked.`);
    } catch (failure) {
      setRevokeError(errorInfo(failure).message);
    }
  }

  const list = tokens.data;

  return (
    <div className="stack">
      {created ? <NewToken token={created} onDone={() => setCreated(null)} /> : null}

      <form className="inline-form" onSubmit={onCreate} noValidate>
        <Field
          id="token-name"
          name="name"
          label="Token name"
          hint="What will use it, for example “laptop CLI”."
          maxLength={60}
          autoComplete="off"
          required
          error={nameError}
          inputRef={nameRef}
        />
        <button type="submit" className="button button-primary" disabled={create.isPending} aria-busy={create.isPending}>
          {create.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Create token
        </button>
      </form>
      <ErrorAlert message={createError} />

      <div>
        <h3>Your tokens</h3>
        <p role="status" className={notice ? "alert alert-success" : "visually-hidden"}>
          {notice}
        </p>
        <ErrorAlert message={revokeError} style={{ marginTop: "0.75rem" }} />
        {tokens.isError ? (
          <p className="alert alert-error" role="alert">
            Could not load your tokens. {errorInfo(tokens.error).message}
          </p>
        ) : null}
        <DataTable
          rows={list}
          rowKey={(token) => token.id}
          rowProps={(token) => ({ style: token.revokedAt ? { opacity: 0.7 } : undefined })}
          empty="You have no tokens yet."
          columns={[
            { label: "Name", cell: (token) => <strong>{token.name}</strong> },
            { label: "Token", cell: (token) => <code>{token.prefix}…</code> },
            { label: "Created", cell: (token) => <LocalTime value={token.createdAt} /> },
            { label: "Last used", cell: (token) => (token.lastUsedAt ? <LocalTime value={token.lastUsedAt} /> : <span className="muted">Never</span>) },
            {
              label: "Status",
              cell: (token) =>
                token.revokedAt ? (
                  <span className="badge">
                    Revoked&nbsp;
                    <LocalTime value={token.revokedAt} />
                  </span>
                ) : (
                  <span className="badge badge-alive">Active</span>
                ),
            },
            {
              label: "Actions",
              kind: "actions",
              cell: (token) =>
                token.revokedAt ? null : confirming === token.id ? (
                  <div className="confirm">
                    <p>
                      Revoke “{token.name}”? Anything using it stops working at once.
                    </p>
                    <button type="button" className="button button-danger button-small" onClick={() => onRevoke(token)} disabled={revoke.isPending} aria-busy={revoke.isPending}>
                      Yes, revoke
                    </button>
                    <button type="button" className="button button-small" onClick={() => setConfirming(null)}>
                      Cancel
                    </button>
                  </div>
                ) : (
                  <button type="button" className="button button-small" onClick={() => askToRevoke(token.id)}>
                    Revoke<span className="visually-hidden"> token {token.name}</span>
                  </button>
                ),
            },
          ]}
        />
      </div>
    </div>
  );
}

/** The freshly created token: shown once, with a copy button and a clear warning. */
function NewToken({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    boxRef.current?.focus();
  }, []);

  return (
    <div className="token-box" ref={boxRef} tabIndex={-1} role="region" aria-labelledby="new-token-title">
      <h3 id="new-token-title">New token “{token.name}”</h3>
      <p className="alert alert-warn">
        <strong>Copy it now.</strong> This token will not be shown again. If you lose it, revoke it and create a new one.
      </p>
      <div className="token-row">
        <code className="token-value" data-testid="new-token">
          {token.token}
        </code>
        <CopyButton text={token.token} describe="the token" className="button button-primary" />
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        Use it as <code>Authorization: Bearer {token.prefix}…</code>
      </p>
      <div>
        <button type="button" className="button" onClick={onDone}>
          Done, I have saved it
        </button>
      </div>
    </div>
  );
}
