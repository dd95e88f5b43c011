// Generates the editor's ambient declarations (canopy.d.ts, ccf.d.ts) from the platform API
// declaration, so what the editor suggests is what the runtime offers.
import { canopyTypes, ccfCryptoFunctions, ccfFunctions, platformModules, type PlatformFunction } from "./declaration";

function signature(fn: PlatformFunction): string {
  const params = fn.params.map((param) => (param.name.startsWith("...") ? `${param.name}: ${param.type}` : `${param.name}${param.optional ? "?" : ""}: ${param.type}`)).join(", ");
  return `  /** ${fn.doc} */\n  ${fn.name}(${params}): ${fn.returns};`;
}

function canopyDts(): string {
  const modules = platformModules.map(
    (module) => `/** ${module.doc} Needs "${module.name}" in app.json's permissions. */\ninterface CanopyModule_${module.name} {\n${module.functions.map(signature).join("\n")}\n}`,
  );
  const global = `/** The Canopy platform API. Each module needs its permission in app.json. */\ndeclare const canopy: {\n${platformModules
    .map((module) => `  readonly ${module.name}: CanopyModule_${module.name};`)
    .join("\n")}\n};`;
  const endpoint = `
/** What an endpoint handler receives (CCF's Request). */
interface CanopyRequest<TParams extends Record<string, string> = Record<string, string>> {
  method: string;
  /** The path under /api. */
  path: string;
  /** The endpoint's template path from app.json. */
  route: string;
  url: string;
  params: TParams;
  /** The raw query string, as CCF gives it. */
  query: string;
  headers: Record<string, string>;
  body: { text(): string; json(): any; arrayBuffer(): ArrayBuffer };
  caller: CanopyCaller | null;
}
/** What an endpoint handler returns (CCF's Response): an object body is sent as JSON. */
interface CanopyResponse {
  statusCode?: number;
  /** Only content-type, content-language, cache-control, expires, etag, last-modified, vary, retry-after, allow, x-app-*, a location inside the app or to app.json's redirects, and CORS for app.json's cors reach the client; the rest is dropped and logged. */
  headers?: Record<string, string>;
  body?: unknown;
}
type CanopyHandler = (request: CanopyRequest) => CanopyResponse | Promise<CanopyResponse>;
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function clearInterval(id: number | undefined): void;
declare function queueMicrotask(callback: () => void): void;
declare const console: { log(...args: any[]): void; info(...args: any[]): void; warn(...args: any[]): void; error(...args: any[]): void; debug(...args: any[]): void };
declare class TextEncoder { encode(input?: string): Uint8Array }
declare class TextDecoder { decode(input?: ArrayBuffer | ArrayBufferView): string }
declare function atob(data: string): string;
declare function btoa(data: string): string;
declare const crypto: { randomUUID(): string; getRandomValues<T extends ArrayBufferView>(array: T): T };
declare class URLSearchParams {
  constructor(init?: string | URLSearchParams | Record<string, string> | Iterable<[string, string]>);
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  toString(): string;
  forEach(callback: (value: string, name: string, params: URLSearchParams) => void, thisArg?: unknown): void;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
declare class URL {
  constructor(url: string, base?: string);
  static canParse(url: string, base?: string): boolean;
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  readonly searchParams: URLSearchParams;
  toString(): string;
  toJSON(): string;
}
`;
  return `// Generated from server/apps/platform-api/declaration.ts. Do not edit.\n${canopyTypes}\n${modules.join("\n\n")}\n\n${global}\n${endpoint}`;
}

function ccfDts(): string {
  const fns = ccfFunctions.map(signature).join("\n");
  const crypto = ccfCryptoFunctions.map((fn) => signature(fn).replace(/^ {2}/gm, "    ")).join("\n");
  return `// Generated from server/apps/platform-api/declaration.ts. Do not edit.
/** A CCF key-value map: keys and values are ArrayBuffers. Part of the request's transaction. */
interface CcfKvMap {
  get(key: ArrayBuffer): ArrayBuffer | undefined;
  has(key: ArrayBuffer): boolean;
  set(key: ArrayBuffer, value: ArrayBuffer): CcfKvMap;
  delete(key: ArrayBuffer): boolean;
  clear(): void;
  forEach(callback: (value: ArrayBuffer, key: ArrayBuffer, map: CcfKvMap) => void): void;
  readonly size: number;
}
/** The CCF subset Canopy offers, so CCF JS bundles run unmodified. */
declare const ccf: {
  /** The app's KV maps by name: \`ccf.kv["records"]\`. */
  readonly kv: Record<string, CcfKvMap>;
${fns}
  readonly crypto: {
${crypto}
  };
};
`;
}

export function platformTypeDefinitions(): { path: string; content: string }[] {
  return [
    { path: "canopy.d.ts", content: canopyDts() },
    { path: "ccf.d.ts", content: ccfDts() },
  ];
}
