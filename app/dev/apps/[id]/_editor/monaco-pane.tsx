"use client";

// The code editor itself. Loaded with next/dynamic (ssr off) by the workbench, so Monaco and its
// workers are downloaded only on the editor route, after the shell is interactive.
import Editor from "@monaco-editor/react";
import { useEffect, useRef } from "react";
import { useSyncExternalStore } from "react";
import type { DraftStore } from "./draft-store";
import { isEditableText } from "./draft-store";
import { languageOf, loadPlatformTypes, modelUri, monaco, pathOfUri, setManifestSchema } from "./monaco-setup";
import type { Diagnostic, EditorCommands } from "./editor-types";

type Props = {
  store: DraftStore;
  activePath: string;
  manifestSchema: unknown;
  dark: boolean;
  onCommands: (commands: EditorCommands | null) => void;
  onDiagnostics: (diagnostics: Diagnostic[]) => void;
  onTypesError: (message: string | null) => void;
  onSave: () => void;
};

const severityName = (severity: monaco.MarkerSeverity): Diagnostic["severity"] =>
  severity === monaco.MarkerSeverity.Error ? "error" : severity === monaco.MarkerSeverity.Warning ? "warning" : "info";

export default function MonacoPane({ store, activePath, manifestSchema, dark, onCommands, onDiagnostics, onTypesError, onSave }: Props) {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const applyingExternal = useRef(false);
  const onSaveRef = useRef(onSave);
  const onDiagnosticsRef = useRef(onDiagnostics);
  useEffect(() => {
    onSaveRef.current = onSave;
    onDiagnosticsRef.current = onDiagnostics;
  });

  useEffect(() => {
    if (manifestSchema) setManifestSchema(manifestSchema);
  }, [manifestSchema]);

  useEffect(() => {
    loadPlatformTypes().then(
      () => onTypesError(null),
      (error: unknown) => onTypesError(`Platform types could not be loaded (${error instanceof Error ? error.message : String(error)}); IntelliSense for canopy and ccf is missing.`),
    );
  }, [onTypesError]);

  // One model per text file of the draft, so diagnostics cover every file and imports resolve.
  useEffect(() => {
    for (const file of snapshot.files) {
      if (!isEditableText(file)) continue;
      const uri = modelUri(file.path);
      const model = monaco.editor.getModel(uri);
      if (!model) {
        const created = monaco.editor.createModel(file.current, languageOf(file.path), uri);
        created.onDidChangeContent(() => {
          if (applyingExternal.current) return;
          const path = pathOfUri(created.uri);
          if (path) store.setCurrent(path, created.getValue());
        });
      } else if (model.getValue() !== file.current) {
        // Restored, reloaded or resolved from outside the editor: an undoable edit.
        applyingExternal.current = true;
        model.pushEditOperations([], [{ range: model.getFullModelRange(), text: file.current }], () => null);
        applyingExternal.current = false;
      }
    }
    const paths = new Set(snapshot.files.filter(isEditableText).map((file) => file.path));
    for (const model of monaco.editor.getModels()) {
      const path = pathOfUri(model.uri);
      if (path !== null && !paths.has(path)) model.dispose();
    }
  }, [snapshot.files, snapshot.externalRevision, store]);

  useEffect(() => {
    const report = () =>
      onDiagnosticsRef.current(
        monaco.editor
          .getModelMarkers({})
          .flatMap((marker) => {
            const path = pathOfUri(marker.resource);
            return path === null
              ? []
              : [{ source: "editor" as const, path, line: marker.startLineNumber, column: marker.startColumn, severity: severityName(marker.severity), message: marker.message }];
          })
          .sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line),
      );
    const subscription = monaco.editor.onDidChangeMarkers(report);
    report();
    return () => subscription.dispose();
  }, []);

  useEffect(() => () => onCommands(null), [onCommands]);
  useEffect(
    () => () => {
      for (const model of monaco.editor.getModels()) if (pathOfUri(model.uri) !== null) model.dispose();
    },
    [],
  );

  return (
    <Editor
      path={modelUri(activePath).toString()}
      language={languageOf(activePath)}
      keepCurrentModel
      theme={dark ? "vs-dark" : "vs"}
      loading={<p className="muted">Loading the editor…</p>}
      options={{
        automaticLayout: true,
        fontSize: 14,
        tabSize: 2,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fixedOverflowWidgets: true,
        wordWrap: "on",
        renderValidationDecorations: "on",
        // Bigger touch targets in the suggestion list and no hover-only lightbulb.
        suggest: { showStatusBar: true },
        lightbulb: { enabled: monaco.editor.ShowLightbulbIconMode.Off },
      }}
      onMount={(editor) => {
        editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => onSaveRef.current());
        const run = (id: string) => {
          editor.focus();
          void editor.getAction(id)?.run();
        };
        onCommands({
          undo: () => {
            editor.focus();
            editor.trigger("toolbar", "undo", null);
          },
          redo: () => {
            editor.focus();
            editor.trigger("toolbar", "redo", null);
          },
          format: () => run("editor.action.formatDocument"),
          find: () => run("actions.find"),
          suggest: () => run("editor.action.triggerSuggest"),
          reveal: (line, column) => {
            editor.revealLineInCenter(line);
            editor.setPosition({ lineNumber: line, column: column ?? 1 });
            editor.focus();
          },
        });
      }}
    />
  );
}
