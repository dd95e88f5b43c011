// V8 flags for the worker process that hosts app isolates. Apps never get WebAssembly (the
// bootstrap removes it), yet V8 builds the WebAssembly namespace into every new context unless
// both flags are off: about a sixth of what a fresh context per request costs. The flags are
// process-wide and only reach contexts created from now on; the host's own context keeps its
// WebAssembly, so the worker (which starts no threads or vm contexts of its own) is unaffected.
import v8 from "node:v8";

let applied = false;

export function skipWebAssemblyInNewContexts(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString("--no-expose-wasm");
  v8.setFlagsFromString("--no-validate-asm");
}
