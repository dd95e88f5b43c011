"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { Role } from "@/server/accounts/schemas";
import { DataTable } from "../_components/data-table";
import { LocalTime } from "../_components/local-time";
import { roleLabel } from "../_lib/services-info";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import type { RouterOutputs } from "../_trpc/types";
import { ErrorAlert } from "../_components/error-alert";

type User = RouterOutputs["users"]["list"][number];

const roles: Role[] = ["MEMBER", "DEVELOPER", "STAFF"];

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export function UserAdmin({ me, initialUsers }: { me: string; initialUsers: User[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const term = useDebounced(search.trim().toLowerCase(), 250);
  const users = useQuery(
    trpc.users.list.queryOptions(term ? { search: term } : {}, {
      placeholderData: keepPreviousData,
      initialData: () => (term ? undefined : initialUsers),
    }),
  );
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({ onSettled: () => queryClient.invalidateQueries(trpc.users.list.pathFilter()) }),
  );
  const [pending, setPending] = useState<{ username: string; role: Role } | null>(null);
  const [confirmSelf, setConfirmSelf] = useState<Role | null>(null);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<string>();

  async function changeRole(user: User, role: Role) {
    if (role === user.role) return;
    setError(undefined);
    setNotice("");
    if (user.username === me && role !== "STAFF" && confirmSelf !== role) {
      setConfirmSelf(role);
      return;
    }
    setConfirmSelf(null);
    setPending({ username: user.username, role });
    try {
      await setRole.mutateAsync({ username: user.username, role });
      setNotice(`${user.username} is now a ${roleLabel[role]}.`);
      if (user.username === me) router.refresh();
    } catch (failure) {
      setError(`Could not change ${user.username}'s role: ${errorInfo(failure).message}`);
    } finally {
      setPending(null);
    }
  }

  const list = users.data ?? [];
  const self = list.find((user) => user.username === me);

  return (
    <section className="card" aria-labelledby="users-title">
      <div className="card-header">
        <h2 id="users-title">Users</h2>
        <span className="muted small">Showing up to 100, by username</span>
      </div>

      <div className="field" style={{ maxWidth: "24rem", marginBottom: "1rem" }}>
        <label htmlFor="user-search">Search by username</label>
        <input
          id="user-search"
          className="input"
          type="search"
          value={search}
          maxLength={40}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>

      <p role="status" className={notice ? "alert alert-success" : "visually-hidden"} style={notice ? { marginBottom: "1rem" } : undefined}>
        {notice}
      </p>
      <ErrorAlert message={error} style={{ marginBottom: "1rem" }} />
      {users.isError ? (
        <p className="alert alert-error" role="alert" style={{ marginBottom: "1rem" }}>
          Could not load users: {errorInfo(users.error).message}
        </p>
      ) : null}
      {confirmSelf && self ? (
        <div className="alert alert-warn" role="alert" style={{ marginBottom: "1rem" }}>
          <p>
            Make yourself a <strong>{roleLabel[confirmSelf]}</strong>? You will lose access to this page at once.
          </p>
          <div className="button-row">
            <button type="button" className="button button-danger" onClick={() => changeRole(self, confirmSelf)}>
              Yes, change my role
            </button>
            <button type="button" className="button" onClick={() => setConfirmSelf(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}

      {users.isPending ? (
        <p className="muted">Loading…</p>
      ) : (
        <DataTable
          rows={list}
          rowKey={(user) => user.id}
          busy={users.isFetching}
          empty={term ? `No username contains “${term}”.` : "No users yet."}
          columns={[
            {
              label: "User",
              cell: (user) => (
                <span style={{ display: "grid", textAlign: "inherit" }}>
                  <strong>{user.username}</strong>
                  {user.displayName !== user.username ? <span className="muted small">{user.displayName}</span> : null}
                </span>
              ),
            },
            { label: "Role", cell: (user) => <RoleSelect user={user} pending={pending} onChange={(role) => changeRole(user, role)} /> },
            { label: "Joined", cell: (user) => <LocalTime value={user.createdAt} /> },
          ]}
        />
      )}
    </section>
  );
}

function RoleSelect({ user, pending, onChange }: { user: User; pending: { username: string; role: Role } | null; onChange: (role: Role) => void }) {
  const busy = pending?.username === user.username;
  const selectId = `role-${user.username}`;
  return (
    <>
      <label htmlFor={selectId} className="visually-hidden">
        Role for {user.username}
      </label>
      <select id={selectId} className="select" value={busy ? pending.role : user.role} disabled={busy} aria-busy={busy} onChange={(event) => onChange(event.target.value as Role)}>
        {roles.map((role) => (
          <option key={role} value={role}>
            {roleLabel[role]}
          </option>
        ))}
      </select>
    </>
  );
}
