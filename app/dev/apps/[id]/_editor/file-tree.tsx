"use client";

// The draft's files as a folder tree. Every action is a visible button (no hover-only controls,
// no context menu needed), so it works the same with a finger, a mouse or a keyboard.
import { useMemo, useState } from "react";
import { errorInfo } from "@/app/_trpc/errors";
import type { DraftFile, DraftStore } from "./draft-store";
import styles from "./editor.module.css";

type Props = {
  store: DraftStore;
  files: DraftFile[];
  dirty: string[];
  activePath: string | null;
  onOpen: (path: string) => void;
  onRenamed: (from: string, to: string) => void;
  onDeleted: (path: string) => void;
};

type Mode = { kind: "none" } | { kind: "new" } | { kind: "rename"; path: string } | { kind: "delete"; path: string };

/** Reads an uploaded file as UTF-8 text when it is text, else as base64. */
async function readUpload(file: File): Promise<{ encoding: "utf8" | "base64"; content: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!bytes.includes(0)) {
    try {
      return { encoding: "utf8", content: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
      // Not UTF-8: stored as binary below.
    }
  }
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return { encoding: "base64", content: btoa(binary) };
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

export function FileTree({ store, files, dirty, activePath, onOpen, onRenamed, onDeleted }: Props) {
  const [mode, setMode] = useState<Mode>({ kind: "none" });
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const dirtySet = useMemo(() => new Set(dirty), [dirty]);

  const rows = useMemo(() => {
    const result: { kind: "folder" | "file"; path: string; name: string; depth: number }[] = [];
    const seenFolders = new Set<string>();
    for (const file of files) {
      const parts = file.path.split("/");
      for (let depth = 0; depth < parts.length - 1; depth++) {
        const folder = parts.slice(0, depth + 1).join("/");
        if (!seenFolders.has(folder)) {
          seenFolders.add(folder);
          result.push({ kind: "folder", path: folder, name: parts[depth]!, depth });
        }
      }
      result.push({ kind: "file", path: file.path, name: parts[parts.length - 1]!, depth: parts.length - 1 });
    }
    return result.filter((row) => ![...collapsed].some((folder) => row.path.startsWith(`${folder}/`)));
  }, [files, collapsed]);

  const start = (next: Mode, initial = "") => {
    setMode(next);
    setValue(initial);
    setError(null);
  };

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setMode({ kind: "none" });
    } catch (caught) {
      setError(errorInfo(caught).message);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const path = value.trim().replace(/^\/+/, "");
    if (mode.kind === "new") {
      if (!path) return setError("Type a path, e.g. src/util.ts");
      if (files.some((file) => file.path === path)) return setError(`${path} already exists`);
      void act(async () => {
        await store.applyChanges([{ op: "write", path, encoding: "utf8", content: "" }]);
        onOpen(path);
      });
    } else if (mode.kind === "rename") {
      if (!path || path === mode.path) return setMode({ kind: "none" });
      const from = mode.path;
      void act(async () => {
        await store.applyChanges([{ op: "rename", from, to: path }]);
        onRenamed(from, path);
      });
    } else if (mode.kind === "delete") {
      const target = mode.path;
      void act(async () => {
        await store.applyChanges([{ op: "delete", path: target }]);
        onDeleted(target);
      });
    }
  };

  const upload = (list: FileList | null) => {
    if (!list?.length) return;
    const folder = activePath ? folderOf(activePath) : "";
    const target = folder.startsWith("pages") || folder.startsWith("assets") ? folder : "assets";
    void act(async () => {
      const changes = await Promise.all(
        [...list].map(async (file) => ({ op: "write" as const, path: `${target}/${file.name.replace(/[^A-Za-z0-9_@.+ -]/g, "_")}`, ...(await readUpload(file)) })),
      );
      await store.applyChanges(changes);
    });
  };

  return (
    <nav className={styles.tree} aria-label="Files">
      <div className={styles.treeActions}>
        <button type="button" className="button button-small" onClick={() => start({ kind: "new" }, activePath ? `${folderOf(activePath) ? `${folderOf(activePath)}/` : ""}` : "src/")}>
          New file
        </button>
        <label className="button button-small">
          Upload
          <input type="file" multiple className="visually-hidden" onChange={(event) => upload(event.target.files)} disabled={busy} />
        </label>
        <button type="button" className="button button-small" disabled={!activePath} onClick={() => activePath && start({ kind: "rename", path: activePath }, activePath)}>
          Rename
        </button>
        <button type="button" className="button button-small button-danger" disabled={!activePath} onClick={() => activePath && start({ kind: "delete", path: activePath })}>
          Delete
        </button>
      </div>

      {mode.kind !== "none" ? (
        <form className={styles.treeForm} onSubmit={submit}>
          {mode.kind === "delete" ? (
            <p className="small" style={{ margin: 0 }}>
              Delete <strong>{mode.path}</strong>? Its history stays and it can be restored.
            </p>
          ) : (
            <>
              <label htmlFor="tree-path" className="small">
                {mode.kind === "new" ? "New file path" : `Rename ${mode.path} to`}
              </label>
              <input id="tree-path" className="input input-mono" value={value} onChange={(event) => setValue(event.target.value)} autoFocus autoCapitalize="off" autoCorrect="off" spellCheck={false} />
            </>
          )}
          <div className="button-row">
            <button type="submit" className={`button button-small ${mode.kind === "delete" ? "button-danger" : "button-primary"}`} disabled={busy} aria-busy={busy}>
              {mode.kind === "new" ? "Create" : mode.kind === "rename" ? "Rename" : "Delete"}
            </button>
            <button type="button" className="button button-small button-ghost" onClick={() => setMode({ kind: "none" })}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p className="alert alert-error small" role="alert">
          {error}
        </p>
      ) : null}

      <ul className={styles.treeList}>
        {rows.map((row) =>
          row.kind === "folder" ? (
            <li key={`d:${row.path}`}>
              <button
                type="button"
                className={styles.treeRow}
                style={{ paddingLeft: `${0.5 + row.depth * 0.9}rem` }}
                aria-expanded={!collapsed.has(row.path)}
                onClick={() =>
                  setCollapsed((previous) => {
                    const next = new Set(previous);
                    if (next.has(row.path)) next.delete(row.path);
                    else next.add(row.path);
                    return next;
                  })
                }
              >
                <span aria-hidden="true">{collapsed.has(row.path) ? "▸" : "▾"}</span> {row.name}/
              </button>
            </li>
          ) : (
            <li key={`f:${row.path}`}>
              <button
                type="button"
                className={styles.treeRow}
                style={{ paddingLeft: `${0.5 + row.depth * 0.9}rem` }}
                aria-current={row.path === activePath ? "true" : undefined}
                onClick={() => onOpen(row.path)}
                title={row.path}
              >
                {row.name}
                {dirtySet.has(row.path) ? (
                  <span className={styles.dirtyDot} aria-label="unsaved changes" role="img">
                    ●
                  </span>
                ) : null}
              </button>
            </li>
          ),
        )}
      </ul>
    </nav>
  );
}
