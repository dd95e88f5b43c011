"use client";

// The online editor: toolbar, file tree, tabs, Monaco (loaded lazily), and a bottom panel with
// problems, the preview's console, a request panel and file history. Every action has a visible
// button (tablets with an on-screen keyboard have no shortcuts); Ctrl/Cmd-S also saves.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useTRPC, useTRPCClient } from "@/app/_trpc/client";
import { errorInfo } from "@/app/_trpc/errors";
import { ConsolePanel, useAppLogs } from "./console-panel";
import { DraftStore, isEditableText } from "./draft-store";
import type { Diagnostic, EditorCommands } from "./editor-types";
import styles from "./editor.module.css";
import { FileTree } from "./file-tree";
import { HistoryPanel } from "./history-panel";
import { LazyDiffPane, LazyMonacoPane } from "./lazy";
import { RequestPanel } from "./request-panel";

type PanelTab = "problems" | "console" | "request" | "history";

function useDarkTheme(): boolean {
  const [dark, setDark] = useState(false);
  useEffect(() => {
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const update = () => {
      const chosen = document.documentElement.getAttribute("data-theme");
      setDark(chosen ? chosen === "dark" : media.matches);
    };
    update();
    media.addEventListener("change", update);
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return () => {
      media.removeEventListener("change", update);
      observer.disconnect();
    };
  }, []);
  return dark;
}

/** The file a new session opens first: the main module, else the first module, else app.json. */
function firstFile(paths: string[], appJson: string | undefined): string | null {
  try {
    const main = (JSON.parse(appJson ?? "{}") as { main?: string }).main;
    if (main && paths.includes(`src/${main}`)) return `src/${main}`;
  } catch {
    // An invalid app.json opens below.
  }
  return paths.find((path) => path.startsWith("src/")) ?? (paths.includes("app.json") ? "app.json" : (paths[0] ?? null));
}

/** A failed start names its problems in one reason ("src/main.ts:3: Expected …; …"): one issue each. */
function issuesInReason(reason: string): { file: string; line?: number; message: string }[] {
  const located = [...reason.matchAll(/((?:src|pages)\/[\w@.+/-]+|app\.json)(?::(\d+))?: ([^;]+)/g)].map((match) => ({
    file: match[1]!,
    line: match[2] ? Number(match[2]) : undefined,
    message: match[3]!.trim(),
  }));
  return located.length ? located : [{ file: "app.json", message: reason }];
}

/** Keeps --workbench-top at the site header's bottom edge (it wraps differently per screen). */
function useHeaderOffset(ref: React.RefObject<HTMLDivElement | null>) {
  useEffect(() => {
    const header = document.querySelector("body > header");
    if (!header) return;
    const update = () => ref.current?.style.setProperty("--workbench-top", `${Math.max(0, header.getBoundingClientRect().bottom)}px`);
    // The workbench is fixed: the page behind it must not scroll (focus and scrollIntoView would move it).
    const root = document.documentElement;
    const overflow = root.style.overflow;
    root.style.overflow = "hidden";
    window.scrollTo(0, 0);
    update();
    const observer = new ResizeObserver(update);
    observer.observe(header);
    window.addEventListener("resize", update);
    return () => {
      root.style.overflow = overflow;
      observer.disconnect();
      window.removeEventListener("resize", update);
    };
  }, [ref]);
}

export function Workbench({ appId, appName }: { appId: string; appName: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [store] = useState(() => new DraftStore(client, appId));
  const draft = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const dark = useDarkTheme();

  const [tabs, setTabs] = useState<string[]>([]);
  const [activePath, setActivePath] = useState<string | null>(null);
  const [treeOpen, setTreeOpen] = useState(true);
  const [panelOpen, setPanelOpen] = useState(true);
  const [panelTab, setPanelTab] = useState<PanelTab>("problems");
  const [commands, setCommands] = useState<EditorCommands | null>(null);
  const [editorDiagnostics, setEditorDiagnostics] = useState<Diagnostic[]>([]);
  const [typesError, setTypesError] = useState<string | null>(null);
  const pendingReveal = useRef<{ line: number; column?: number } | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  useHeaderOffset(rootRef);

  const manifestSchema = useQuery(trpc.apps.manifestSchema.queryOptions(undefined, { staleTime: Infinity }));
  const validation = useQuery(trpc.apps.validate.queryOptions({ appId }));
  const previewStatus = useQuery(trpc.editor.previewStatus.queryOptions({ appId }, { refetchInterval: 5000 }));
  const startPreview = useMutation(trpc.editor.previewStart.mutationOptions({ onSettled: () => void previewStatus.refetch() }));
  const stopPreview = useMutation(trpc.editor.previewStop.mutationOptions({ onSettled: () => void previewStatus.refetch() }));
  const logs = useAppLogs(appId);

  useEffect(() => {
    void store.load().then(() => {
      // Open the first file once the draft is loaded.
      const { files } = store.getSnapshot();
      const first = firstFile(
        files.map((file) => file.path),
        files.find((file) => file.path === "app.json")?.current,
      );
      if (first) {
        setTabs([first]);
        setActivePath(first);
      }
      // On a tablet in portrait the tree is a drawer: the code comes first.
      if (window.matchMedia("(max-width: 900px)").matches) setTreeOpen(false);
    });
    return () => store.dispose();
  }, [store]);

  const appJson = draft.files.find((file) => file.path === "app.json")?.current;
  const previewState = previewStatus.data?.state ?? "stopped";
  const previewStarted = previewState === "running" || previewState === "starting" || previewState === "failed";
  const previewRunning = previewState === "running";
  const { refetch: refetchValidation } = validation;
  const { mutate: runPreview } = startPreview;

  // A save restarts a started preview with the new draft, and re-validates the bundle.
  useEffect(
    () =>
      store.onSaved(() => {
        void refetchValidation();
        if (previewStarted) runPreview({ appId });
      }),
    [store, previewStarted, runPreview, refetchValidation, appId],
  );

  const save = useCallback(() => void store.save(), [store]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        save();
      }
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (store.getSnapshot().dirty.length) event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [save, store]);

  const open = useCallback((path: string, at?: { line: number; column?: number }) => {
    setTabs((previous) => (previous.includes(path) ? previous : [...previous, path]));
    setActivePath(path);
    if (at) pendingReveal.current = at;
    if (window.matchMedia("(max-width: 900px)").matches) setTreeOpen(false);
  }, []);

  // Reveal a line once the editor shows the file it is in.
  useEffect(() => {
    if (commands && pendingReveal.current) {
      const { line, column } = pendingReveal.current;
      pendingReveal.current = null;
      setTimeout(() => commands.reveal(line, column), 0);
    }
  }, [commands, activePath]);

  const closeTab = (path: string) => {
    const index = tabs.indexOf(path);
    const next = tabs.filter((tab) => tab !== path);
    setTabs(next);
    if (activePath === path) setActivePath(next[Math.min(index, next.length - 1)] ?? null);
  };

  const diagnostics: Diagnostic[] = useMemo(() => {
    const bundle: Diagnostic[] = (validation.data?.issues ?? []).map((issue) => ({
      source: "bundle",
      path: issue.file,
      line: issue.line,
      severity: "error",
      message: issue.field ? `${issue.field}: ${issue.message}` : issue.message,
    }));
    const lastStart = startPreview.data;
    const preview: Diagnostic[] =
      lastStart && !lastStart.ok
        ? (lastStart.issues?.length ? lastStart.issues : issuesInReason(lastStart.reason)).map((issue) => ({
            source: "preview",
            path: issue.file,
            line: issue.line,
            severity: "error",
            message: `Preview (${lastStart.step}): ${issue.message}`,
          }))
        : [];
    return [...editorDiagnostics, ...bundle, ...preview];
  }, [editorDiagnostics, validation.data, startPreview.data]);
  const errorCount = diagnostics.filter((item) => item.severity === "error").length;

  const activeFile = activePath ? draft.files.find((file) => file.path === activePath) : undefined;
  const pages = useMemo(() => {
    try {
      return Object.entries((JSON.parse(appJson ?? "{}") as { pages?: Record<string, { file?: string; title?: string }> }).pages ?? {}).filter(([, page]) => typeof page?.file === "string");
    } catch {
      return [];
    }
  }, [appJson]);

  const saveState = draft.save;
  const statusText =
    saveState.kind === "saving"
      ? "Saving…"
      : saveState.kind === "offline"
        ? "Offline: edits kept on this device"
        : saveState.kind === "error"
          ? `Not saved: ${saveState.message}`
          : draft.dirty.length
            ? `${draft.dirty.length} unsaved file${draft.dirty.length === 1 ? "" : "s"}`
            : saveState.kind === "saved"
              ? "All changes saved"
              : "No changes";

  if (draft.loadError) {
    return (
      <p className="alert alert-error" role="alert">
        Could not open {appName}: {draft.loadError}
      </p>
    );
  }

  return (
    <div ref={rootRef} className={styles.workbench} data-tree-open={treeOpen} data-panel-open={panelOpen}>
      <div className={styles.toolbar} role="toolbar" aria-label="Editor">
        <button type="button" className="button button-small" aria-pressed={treeOpen} onClick={() => setTreeOpen((value) => !value)}>
          Files
        </button>
        <button type="button" className="button button-small button-primary" onClick={save} disabled={!draft.dirty.length || saveState.kind === "saving"} aria-busy={saveState.kind === "saving"}>
          Save{draft.dirty.length ? ` (${draft.dirty.length})` : ""}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => runPreview({ appId })}
          disabled={startPreview.isPending}
          aria-busy={startPreview.isPending}
        >
          {previewStarted ? "Restart preview" : "Run preview"}
        </button>
        <button type="button" className="button button-small" onClick={() => stopPreview.mutate({ appId })} disabled={!previewStarted || stopPreview.isPending}>
          Stop
        </button>
        <span className={styles.toolbarGroup} aria-label="Edit">
          <button type="button" className="button button-small" onClick={() => commands?.undo()} disabled={!commands}>
            Undo
          </button>
          <button type="button" className="button button-small" onClick={() => commands?.redo()} disabled={!commands}>
            Redo
          </button>
          <button type="button" className="button button-small" onClick={() => commands?.format()} disabled={!commands}>
            Format
          </button>
          <button type="button" className="button button-small" onClick={() => commands?.find()} disabled={!commands}>
            Find
          </button>
          <button type="button" className="button button-small" onClick={() => commands?.suggest()} disabled={!commands}>
            Suggest
          </button>
        </span>
        <button type="button" className="button button-small" aria-pressed={panelOpen} onClick={() => setPanelOpen((value) => !value)}>
          Panel
        </button>
        <Link className="button button-small" href={`/dev/apps/${appId}/proposals`}>
          Deploy…
        </Link>
        <span className={styles.status} role="status">
          <span>{statusText}</span>
          <span className={styles.previewBadge} data-state={previewState}>
            Preview: {startPreview.isPending ? "starting" : previewState}
          </span>
        </span>
      </div>

      {saveState.kind === "offline" ? <p className="alert alert-warn small">{saveState.message}</p> : null}
      {typesError ? <p className="alert alert-warn small">{typesError}</p> : null}
      {startPreview.error ? <p className="alert alert-error small">Preview: {errorInfo(startPreview.error).message}</p> : null}
      {saveState.kind === "conflict" ? (
        <section className={`card ${styles.conflict}`} aria-labelledby="conflict-title" role="alertdialog">
          <h2 id="conflict-title">Someone saved a newer version</h2>
          <p>
            The draft changed since you opened it. Your save was not written. Compare each file below, then keep yours (it replaces theirs, which stays in the history) or take
            theirs (your edits to these files are dropped).
          </p>
          {saveState.files.map((file) => (
            <LazyDiffPane key={file.path} path={file.path} original={file.theirs ?? ""} modified={file.mine} dark={dark} originalLabel={`${file.path}: saved (newer)`} modifiedLabel="Yours" />
          ))}
          <div className="button-row">
            <button type="button" className="button button-primary" onClick={() => void store.save({ overwrite: true })}>
              Keep mine and save
            </button>
            <button type="button" className="button" onClick={() => store.takeTheirs()}>
              Take theirs
            </button>
            <button type="button" className="button button-ghost" onClick={() => store.dismissSaveState()}>
              Decide later
            </button>
          </div>
        </section>
      ) : null}

      <div className={styles.body}>
        {treeOpen ? (
          <aside className={styles.side}>
            <FileTree
              store={store}
              files={draft.files}
              dirty={draft.dirty}
              activePath={activePath}
              onOpen={open}
              onRenamed={(from, to) => {
                setTabs((previous) => previous.map((tab) => (tab === from ? to : tab)));
                if (activePath === from) setActivePath(to);
              }}
              onDeleted={(path) => closeTab(path)}
            />
            {pages.length ? (
              <section className={styles.pages} aria-labelledby="pages-title">
                <h2 id="pages-title" className="small">
                  Pages in preview
                </h2>
                <ul>
                  {pages.map(([id, page]) => (
                    <li key={id}>
                      <a className="button button-small button-ghost" href={`/a/${appId}/${id}?preview=1`} target="_blank" rel="noopener">
                        Open {page.title ?? id}
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
          </aside>
        ) : null}

        <section className={styles.main} aria-label="Editor">
          <div className={styles.tabs} role="tablist" aria-label="Open files">
            {tabs.map((path) => (
              <div key={path} className={styles.tab} data-active={path === activePath}>
                <button type="button" role="tab" aria-selected={path === activePath} className={styles.tabButton} onClick={() => setActivePath(path)} title={path}>
                  {path.split("/").pop()}
                  {draft.dirty.includes(path) ? (
                    <span className={styles.dirtyDot} aria-label="unsaved changes" role="img">
                      ●
                    </span>
                  ) : null}
                </button>
                <button type="button" className={styles.tabClose} onClick={() => closeTab(path)} aria-label={`Close ${path}`}>
                  ×
                </button>
              </div>
            ))}
          </div>
          <div className={styles.editorArea}>
            {!draft.loaded ? (
              <p className="muted" role="status">
                Loading files…
              </p>
            ) : activeFile && isEditableText(activeFile) ? (
              <LazyMonacoPane
                store={store}
                activePath={activeFile.path}
                manifestSchema={manifestSchema.data}
                dark={dark}
                onCommands={setCommands}
                onDiagnostics={setEditorDiagnostics}
                onTypesError={setTypesError}
                onSave={save}
              />
            ) : activeFile ? (
              <div className={styles.binary}>
                <p>
                  <strong>{activeFile.path}</strong> is a binary file ({activeFile.size} bytes).
                </p>
                {/\.(png|jpe?g|gif|webp|svg)$/i.test(activeFile.path) ? (
                  <img alt={activeFile.path} src={`data:image/${activeFile.path.split(".").pop()};base64,${activeFile.saved}`} style={{ maxWidth: "100%" }} />
                ) : null}
              </div>
            ) : (
              <p className="muted">{draft.files.length ? "Open a file from the list." : "This app has no files yet: create one with New file."}</p>
            )}
          </div>
        </section>
      </div>

      {panelOpen ? (
        <section className={styles.panel} aria-label="Panel">
          <div className={styles.panelTabs} role="tablist">
            {(
              [
                ["problems", `Problems (${errorCount})`],
                ["console", "Console"],
                ["request", "Request"],
                ["history", "History"],
              ] as const
            ).map(([id, label]) => (
              <button key={id} type="button" role="tab" aria-selected={panelTab === id} className={styles.panelTab} onClick={() => setPanelTab(id)}>
                {label}
              </button>
            ))}
          </div>
          <div className={styles.panelBody} role="tabpanel">
            {panelTab === "problems" ? (
              <ul className={styles.problems} aria-label="Problems">
                {diagnostics.length === 0 ? <li className="muted small">No problems.</li> : null}
                {diagnostics.map((item, index) => (
                  <li key={index}>
                    <button type="button" className={styles.problem} data-severity={item.severity} onClick={() => open(item.path, item.line ? { line: item.line, column: item.column } : undefined)}>
                      <span className={styles.problemSeverity}>{item.severity}</span>
                      <span>
                        {item.path}
                        {item.line ? `:${item.line}` : ""}
                        {item.column ? `:${item.column}` : ""}
                      </span>
                      <span className={styles.problemMessage}>{item.message}</span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : panelTab === "console" ? (
              <ConsolePanel logs={logs} onOpenSource={(path, line, column) => open(path, { line, column })} />
            ) : panelTab === "request" ? (
              <RequestPanel appId={appId} appJson={appJson} running={previewRunning} />
            ) : (
              <HistoryPanel store={store} path={activePath} current={activeFile && isEditableText(activeFile) ? activeFile.current : null} draftVersion={draft.draftVersion} dark={dark} />
            )}
          </div>
        </section>
      ) : null}
    </div>
  );
}
