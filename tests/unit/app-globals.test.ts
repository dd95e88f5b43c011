// The isolate's platform globals are built on first use (a fresh context per request mostly never
// touches them), yet they must behave as the frozen, non-configurable globals they replace: an
// app can neither replace nor delete them, and the primitives the bootstrap removes stay gone.
import { expect, it } from "vitest";
import { appManifestSchema } from "@/server/apps/manifest";
import { getRequest, testAppInstance } from "../helpers/app-instance";

const probe = `export function probe() {
  const attempt = (fn) => { try { fn(); return "allowed"; } catch (error) { return error instanceof TypeError ? "refused" : String(error); } };
  const names = ["canopy", "ccf", "console", "crypto", "TextEncoder", "TextDecoder", "URL", "URLSearchParams"];
  const result = { types: {}, replace: {}, remove: {}, redefine: {}, frozen: {} };
  for (const name of names) {
    result.replace[name] = attempt(() => { globalThis[name] = {}; });
    result.remove[name] = attempt(() => { delete globalThis[name]; });
    result.redefine[name] = attempt(() => Object.defineProperty(globalThis, name, { value: {} }));
    result.types[name] = typeof globalThis[name];
  }
  for (const name of ["canopy", "ccf", "console", "crypto"]) result.frozen[name] = Object.isFrozen(globalThis[name]);
  result.sameObject = globalThis.ccf === ccf && ccf.crypto === ccf.crypto;
  result.absent = [typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics, typeof __canopyHost];
  result.encoded = new TextDecoder().decode(new TextEncoder().encode("héllo"));
  result.buffer = ccf.bufToStr(ccf.strToBuf("ok"));
  return { body: result };
}`;

it("keeps the platform globals tamper-proof and the removed primitives absent", async () => {
  const instance = testAppInstance({
    manifest: appManifestSchema.parse({ endpoints: { "/probe": { get: { js_module: "probe.js", js_function: "probe" } } }, permissions: ["kv"] }),
    modules: { "probe.js": probe },
  });
  await instance.start();
  try {
    const response = await instance.handle(getRequest("/probe"));
    expect(response.status).toBe(200);
    const result = JSON.parse(Buffer.from(response.body).toString("utf8"));
    const every = (value: string) => Object.fromEntries(["canopy", "ccf", "console", "crypto", "TextEncoder", "TextDecoder", "URL", "URLSearchParams"].map((name) => [name, value]));
    expect(result.replace).toEqual(every("refused"));
    expect(result.remove).toEqual(every("refused"));
    expect(result.redefine).toEqual(every("refused"));
    expect(result.types).toEqual({ canopy: "object", ccf: "object", console: "object", crypto: "object", TextEncoder: "function", TextDecoder: "function", URL: "function", URLSearchParams: "function" });
    expect(result.frozen).toEqual({ canopy: true, ccf: true, console: true, crypto: true });
    expect(result.sameObject).toBe(true);
    expect(result.absent).toEqual(["undefined", "undefined", "undefined", "undefined"]);
    expect(result.encoded).toBe("héllo");
    expect(result.buffer).toBe("ok");
  } finally {
    instance.dispose();
  }
});
