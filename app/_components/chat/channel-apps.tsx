"use client";

// The channel settings' app list (owner and staff): apps enabled here hear the chat, may post
// system messages and delete others' messages; any deployed app may still send as itself.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "../../_trpc/client";
import { errorInfo } from "../../_trpc/errors";
import styles from "./chat-panel.module.css";

export function ChannelApps({ channel }: { channel: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.chat.apps.queryOptions({ channel }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.chat.apps.queryKey({ channel }) });
  const enable = useMutation(trpc.chat.enableApp.mutationOptions({ onSuccess: refresh }));
  const disable = useMutation(trpc.chat.disableApp.mutationOptions({ onSuccess: refresh }));
  const [appId, setAppId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();

  async function run(work: Promise<unknown>) {
    setError(null);
    try {
      await work;
    } catch (failure) {
      setError(errorInfo(failure).message);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const id = appId.trim();
    if (!id) return;
    void run(enable.mutateAsync({ channel, appId: id }).then(() => setAppId("")));
  }

  return (
    <section aria-label="Apps in this channel">
      <h4 className={styles.drawerTitle}>Apps</h4>
      {list.data?.length ? (
        <ul className={styles.people}>
          {list.data.map((app) => (
            <li key={app.appId}>
              {app.appName} <code>{app.appId}</code>{" "}
              <button type="button" className="button button-small" disabled={disable.isPending} onClick={() => void run(disable.mutateAsync({ channel, appId: app.appId }))}>
                Disable
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{list.isPending ? "Loading…" : "No app is enabled here."}</p>
      )}
      <form className={styles.settings} onSubmit={submit}>
        <label htmlFor={inputId} className={styles.settingLabel}>
          Enable app
        </label>
        <input id={inputId} className="input" value={appId} placeholder="app id" maxLength={64} onChange={(event) => setAppId(event.target.value)} />
        <button type="submit" className="button button-small" disabled={enable.isPending || !appId.trim()}>
          Enable
        </button>
      </form>
      <p className="muted small">Enabled apps hear this channel&apos;s chat, may post system messages and delete messages here.</p>
      {error || list.error ? (
        <p className={styles.inlineError} role="alert">
          {error ?? errorInfo(list.error).message}
        </p>
      ) : null}
    </section>
  );
}
