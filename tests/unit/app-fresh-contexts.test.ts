// A fresh context per request must be collectable once the request is over: anything the host
// keeps pointing into it (a module namespace, a context) pins the whole context in the isolate's
// heap, and a busy app then runs into its memory limit and is killed.
import { expect, it } from "vitest";
import { appManifestSchema } from "@/server/apps/manifest";
import { getRequest, testAppInstance } from "../helpers/app-instance";

it("serves many fresh-context requests within a small memory limit", async () => {
  const violations: string[] = [];
  const instance = testAppInstance({
    manifest: appManifestSchema.parse({ endpoints: { "/ping": { get: { js_module: "ping.js", js_function: "ping" } } } }),
    modules: { "ping.js": "const state = { calls: 0 }; export function ping() { state.calls++; return { body: state.calls }; }" },
    limits: { memoryMb: 16, requestTimeoutMs: 10_000, cpuBudgetMsPerMinute: 10_000_000 },
    disableBytecodeCache: false,
    onViolation: (reason) => violations.push(reason),
  });
  await instance.start();
  const bodies: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 250; i++) bodies.push(Buffer.from((await instance.handle(getRequest("/ping"))).body).toString());
    }),
  );
  instance.dispose();
  expect(violations).toEqual([]);
  // Each request saw the module's state fresh.
  expect(new Set(bodies)).toEqual(new Set(["1"]));
}, 60_000);
