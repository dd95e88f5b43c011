"use client";

// "My apps" on /dev: open, export as ZIP, delete (after typing the id), create from a template
// or import a ZIP.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorAlert } from "../_components/error-alert";
import { Field } from "../_components/field";
import { FormActions } from "../_components/form-actions";
import { ListPanel } from "../_components/list-panel";
import { LocalTime } from "../_components/local-time";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import type { RouterOutputs } from "../_trpc/types";

type AppSummary = RouterOutputs["apps"]["list"][number];

/** "My Chat Bot!" → "my-chat-bot": a valid app id to start from. */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

function downloadBase64(fileName: string, base64: string) {
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/zip" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return btoa(binary);
}

export function AppList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const apps = useQuery(trpc.apps.list.queryOptions({ scope: "mine" }));
  const [mode, setMode] = useState<"none" | "create" | "import">("none");
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });

  return (
    <ListPanel
      id="apps"
      title="My apps"
      actions={
        <div className="button-row">
          <button type="button" className="button button-primary" aria-expanded={mode === "create"} onClick={() => setMode(mode === "create" ? "none" : "create")}>
            New app
          </button>
          <button type="button" className="button" aria-expanded={mode === "import"} onClick={() => setMode(mode === "import" ? "none" : "import")}>
            Import ZIP
          </button>
        </div>
      }
      description="Apps are built right here, in the browser: a server script, HTTP endpoints and pages, with a private preview. Nothing to install; a tablet is enough."
      listLabel="My apps"
      empty="You have no apps yet. Start one with New app."
      status={apps.isPending ? <p className="muted">Loading your apps…</p> : apps.error ? <p className="alert alert-error">{errorInfo(apps.error).message}</p> : undefined}
      items={(apps.data ?? []).map((app) => (
        <AppRow key={app.id} app={app} onDeleted={refresh} />
      ))}
    >
      {mode === "create" ? <CreateAppForm onCancel={() => setMode("none")} /> : null}
      {mode === "import" ? <ImportAppForm onCancel={() => setMode("none")} /> : null}
    </ListPanel>
  );
}

function AppRow({ app, onDeleted }: { app: AppSummary; onDeleted: () => void }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const [confirmId, setConfirmId] = useState("");
  const exportZip = useMutation(trpc.editor.exportZip.mutationOptions({ onSuccess: (zip) => downloadBase64(zip.fileName, zip.base64) }));
  const remove = useMutation(trpc.apps.delete.mutationOptions({ onSuccess: onDeleted }));
  const error = exportZip.error ?? remove.error;

  return (
    <li className="card" style={{ padding: "0.75rem 1rem" }} data-app-id={app.id}>
      <div className="card-header" style={{ flexWrap: "wrap", gap: "0.5rem" }}>
        <div>
          <h3 style={{ margin: 0 }}>
            <Link href={`/dev/apps/${app.id}`}>{app.name}</Link>
          </h3>
          <p className="small muted" style={{ margin: 0 }}>
            <code>{app.id}</code> · {app.activeDeployment ? `deployment #${app.activeDeployment.number}` : "not deployed"} · edited <LocalTime value={app.updatedAt} />
          </p>
        </div>
        <div className="button-row">
          <Link className="button button-primary button-small" href={`/dev/apps/${app.id}`}>
            Open editor
          </Link>
          <Link className="button button-small" href={`/dev/apps/${app.id}/proposals`}>
            Deploy
          </Link>
          <button type="button" className="button button-small" onClick={() => exportZip.mutate({ appId: app.id })} disabled={exportZip.isPending} aria-busy={exportZip.isPending}>
            Export ZIP
          </button>
          <button type="button" className="button button-small button-danger" aria-expanded={confirming} onClick={() => setConfirming((value) => !value)}>
            Delete
          </button>
        </div>
      </div>
      {confirming ? (
        <form
          className="form confirm"
          onSubmit={(event) => {
            event.preventDefault();
            remove.mutate({ appId: app.id, confirmId });
          }}
        >
          <p className="alert alert-warn">
            Deleting <strong>{app.name}</strong> removes its files, history, deployments and stored data for good. Export a ZIP first if you may want it back.
          </p>
          <Field id={`confirm-${app.id}`} label={`Type ${app.id} to confirm`} value={confirmId} onChange={(event) => setConfirmId(event.target.value)} autoCapitalize="off" autoComplete="off" />
          <div className="button-row">
            <button type="submit" className="button button-danger" disabled={confirmId !== app.id || remove.isPending} aria-busy={remove.isPending}>
              Delete {app.id} for good
            </button>
            <button type="button" className="button button-ghost" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <ErrorAlert message={error ? errorInfo(error).message : undefined} />
    </li>
  );
}

function CreateAppForm({ onCancel }: { onCancel: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const templates = useQuery(trpc.editor.templates.queryOptions());
  const [template, setTemplate] = useState("blank");
  const [name, setName] = useState("");
  const [id, setId] = useState("");
  const [idEdited, setIdEdited] = useState(false);
  const create = useMutation(trpc.editor.createFromTemplate.mutationOptions({ onSuccess: (app) => router.push(`/dev/apps/${app.id}`) }));
  const info = create.error ? errorInfo(create.error) : null;

  return (
    <form
      className="form card"
      aria-label="New app"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate({ id, name, template });
      }}
    >
      <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0, gap: "0.5rem" }}>
        <legend className="label">Template</legend>
        {(templates.data ?? []).map((item) => (
          <label key={item.id} className="card" style={{ display: "flex", gap: "0.75rem", alignItems: "flex-start", padding: "0.75rem", cursor: "pointer", minHeight: "var(--tap)" }}>
            <input type="radio" name="template" value={item.id} checked={template === item.id} onChange={() => setTemplate(item.id)} style={{ width: "1.25rem", height: "1.25rem", marginTop: "0.2rem" }} />
            <span>
              <strong>{item.name}</strong>
              <br />
              <span className="small muted">{item.description}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <Field
        id="new-app-name"
        label="Name"
        value={name}
        required
        maxLength={80}
        onChange={(event) => {
          setName(event.target.value);
          if (!idEdited) setId(slugOf(event.target.value));
        }}
        error={info?.fields.name}
      />
      <Field
        id="new-app-id"
        label="App id"
        hint="Used in URLs: lowercase letters, digits and dashes; it cannot be changed later."
        value={id}
        required
        className="input-mono"
        autoCapitalize="off"
        onChange={(event) => {
          setId(event.target.value);
          setIdEdited(true);
        }}
        error={info?.fields.id}
      />
      {/* Field errors show at their fields; only the rest here. */}
      <FormActions error={info && !Object.keys(info.fields).length ? info.message : undefined} pending={create.isPending} disabled={!name || !id} label="Create app" onCancel={onCancel} />
    </form>
  );
}

function ImportAppForm({ onCancel }: { onCancel: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const limits = useQuery(trpc.editor.limits.queryOptions());
  const [file, setFile] = useState<File | null>(null);
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const importZip = useMutation(trpc.editor.importZip.mutationOptions({ onSuccess: (app) => router.push(`/dev/apps/${app.id}`) }));
  const error = localError ?? (importZip.error ? errorInfo(importZip.error).message : null);

  return (
    <form
      className="form card"
      aria-label="Import a ZIP"
      onSubmit={async (event) => {
        event.preventDefault();
        setLocalError(null);
        if (!file) return setLocalError("Choose a ZIP file first.");
        const maxBytes = limits.data?.maxZipBytes;
        if (maxBytes && file.size > maxBytes) return setLocalError(`The ZIP is ${Math.ceil(file.size / 1024)} KiB; the largest import is ${Math.floor(maxBytes / 1024)} KiB.`);
        importZip.mutate({ id, name: name || undefined, zipBase64: await fileToBase64(file) });
      }}
    >
      <div className="field">
        <label htmlFor="import-file">ZIP file (an exported app, or a folder with app.json at its top)</label>
        <input
          id="import-file"
          type="file"
          accept=".zip,application/zip"
          className="input"
          onChange={(event) => {
            const chosen = event.target.files?.[0] ?? null;
            setFile(chosen);
            if (chosen && !id) setId(slugOf(chosen.name.replace(/\.zip$/i, "")));
          }}
        />
      </div>
      <Field id="import-id" label="App id" value={id} required className="input-mono" autoCapitalize="off" onChange={(event) => setId(event.target.value)} />
      <Field id="import-name" label="Name" hint="Leave empty to use the name in app.json." value={name} maxLength={80} onChange={(event) => setName(event.target.value)} />
      <FormActions error={error} pending={importZip.isPending} disabled={!id} label="Import" onCancel={onCancel} />
    </form>
  );
}
