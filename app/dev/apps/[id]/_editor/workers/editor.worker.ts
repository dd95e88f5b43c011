// Local worker entries for Monaco (bundled by Next, never fetched from a CDN).
import "monaco-editor/editor/editor.worker.js";
