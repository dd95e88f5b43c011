// The platform API is declared once; the editor's .d.ts, the host's operations and the globals the
// isolate actually offers must name the same functions. These tests fail when any side drifts.
import { describe, expect, it } from "vitest";
import { canopyFunctionKeys, ccfCryptoFunctions, ccfFunctions, platformModules } from "@/server/apps/platform-api/declaration";
import { platformTypeDefinitions } from "@/server/apps/platform-api/dts";
import { hostOperationNames } from "@/worker/apps/bootstrap";
import { hostOperations } from "@/worker/apps/host-api";
import { appManifestSchema } from "@/server/apps/manifest";
import { getRequest, testAppInstance } from "../helpers/app-instance";

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

function declared(): string[] {
  return sorted([...canopyFunctionKeys().map((key) => `canopy.${key}`), ...ccfFunctions.map((fn) => `ccf.${fn.name}`), ...ccfCryptoFunctions.map((fn) => `ccf.crypto.${fn.name}`)]);
}

/** Function names the generated .d.ts files declare, read back from their text. */
function typed(): string[] {
  const files = Object.fromEntries(platformTypeDefinitions().map((file) => [file.path, file.content]));
  const names: string[] = [];
  for (const match of files["canopy.d.ts"]!.matchAll(/interface CanopyModule_(\w+) \{\n([\s\S]*?)\n\}/g)) {
    for (const fn of match[2]!.matchAll(/^ {2}(\w+)\(/gm)) names.push(`canopy.${match[1]}.${fn[1]}`);
  }
  const ccf = /declare const ccf: \{\n([\s\S]*?)\n\};/.exec(files["ccf.d.ts"]!)![1]!;
  for (const fn of ccf.matchAll(/^ {2}(\w+)\(/gm)) names.push(`ccf.${fn[1]}`);
  for (const fn of ccf.matchAll(/^ {4}(\w+)\(/gm)) names.push(`ccf.crypto.${fn[1]}`);
  return sorted(names);
}

/** The globals a real isolate offers an app that has every permission. */
async function offered(): Promise<string[]> {
  const module = `export function list() {
    const names = [];
    for (const module of Object.keys(canopy)) for (const fn of Object.keys(canopy[module])) names.push("canopy." + module + "." + fn);
    for (const fn of Object.keys(ccf)) if (typeof ccf[fn] === "function") names.push("ccf." + fn);
    for (const fn of Object.keys(ccf.crypto)) names.push("ccf.crypto." + fn);
    return { body: names };
  }`;
  const manifest = appManifestSchema.parse({
    endpoints: { "/list": { get: { js_module: "list.js", js_function: "list" } } },
    permissions: platformModules.map((platformModule) => platformModule.name),
  });
  const instance = testAppInstance({ manifest, modules: { "list.js": module } });
  await instance.start();
  try {
    const response = await instance.handle(getRequest("/list"));
    return sorted(JSON.parse(Buffer.from(response.body).toString("utf8")) as string[]);
  } finally {
    instance.dispose();
  }
}

describe("platform API drift", () => {
  it("the editor's .d.ts declares exactly the declared functions", () => {
    expect(typed()).toEqual(declared());
  });

  it("the host implements exactly the operations the bootstrap may call, and every declared function not computed in the isolate", () => {
    expect(sorted(Object.keys(hostOperations))).toEqual(sorted(hostOperationNames()));
    const inIsolate = new Set(ccfFunctions.filter((fn) => fn.kind === "isolate").map((fn) => `ccf.${fn.name}`));
    const hostNames = new Set(Object.keys(hostOperations));
    expect(declared().filter((name) => !hostNames.has(name))).toEqual(sorted(inIsolate));
  });

  it("gates every canopy operation by its module's permission, and no ccf operation", () => {
    for (const [name, operation] of Object.entries(hostOperations)) {
      const canopyModule = /^canopy\.(\w+)\./.exec(name)?.[1];
      expect({ name, permission: operation.permission }).toEqual({ name, permission: canopyModule });
    }
  });

  it("an isolate offers exactly the declared functions", async () => {
    expect(await offered()).toEqual(declared());
  }, 20_000);
});
