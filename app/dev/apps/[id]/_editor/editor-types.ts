// Shared between the workbench shell and the lazily loaded Monaco pane (kept free of Monaco imports).

/** A problem in a file: from Monaco (TypeScript, JSON schema) or from the server (bundle validation, preview start). */
export type Diagnostic = {
  source: "editor" | "bundle" | "preview";
  path: string;
  line?: number;
  column?: number;
  severity: "error" | "warning" | "info";
  message: string;
};

/** What the toolbar asks of the editor; nothing here needs a physical keyboard. */
export type EditorCommands = {
  undo: () => void;
  redo: () => void;
  format: () => void;
  find: () => void;
  suggest: () => void;
  reveal: (line: number, column?: number) => void;
};
