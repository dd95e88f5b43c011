import "monaco-editor/language/css/css.worker.js";
