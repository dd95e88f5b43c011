"use client";

// A read-only side-by-side (or inline, on narrow screens) diff; loaded lazily like the editor.
import { DiffEditor } from "@monaco-editor/react";
import { languageOf } from "./monaco-setup";

export default function DiffPane({ path, original, modified, dark, originalLabel, modifiedLabel }: { path: string; original: string; modified: string; dark: boolean; originalLabel: string; modifiedLabel: string }) {
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="small muted" style={{ display: "flex", justifyContent: "space-between", gap: "1rem" }}>
        <span>{originalLabel}</span>
        <span>{modifiedLabel}</span>
      </figcaption>
      <DiffEditor
        height="min(50vh, 420px)"
        original={original}
        modified={modified}
        language={languageOf(path)}
        theme={dark ? "vs-dark" : "vs"}
        options={{ readOnly: true, originalEditable: false, automaticLayout: true, minimap: { enabled: false }, renderSideBySide: true, useInlineViewWhenSpaceIsLimited: true, scrollBeyondLastLine: false }}
      />
    </figure>
  );
}
