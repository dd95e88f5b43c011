// A fresh context per request must be collectable once the request is over: anything the host
// keeps pointing into it (a module namespace, a context) pins the whole context in the isolate's
// heap, and a busy app then runs into its memory limit and is killed.
import { expect, it } from "vitest";
import { AppInstance } from "@/worker/apps/app-instance";
import { KvStore } from "@/worker/apps/kv-store";
import { appManifestSchema } from "@/server/apps/manifest";

it("serves many fresh-context requests within a small memory limit", async () => {
  const limits = { memoryMb: 16, cpuMsPerEntry: 1000, requestTimeoutMs: 10_000, cpuBudgetMsPerMinute: 10_000_000, maxTimers: 10, logLinesPerSecond: 10, kvMaxBytes: 1 << 20, chatSendsPerMinute: 1, maxResponseBytes: 1 << 20, suspendAfterViolations: 8, violationWindowMs: 60_000 };
  const violations: string[] = [];
  const unused = () => Promise.reject(new Error("unused"));
  const instance = new AppInstance({
    appId: "fresh",
    target: "live",
    deploymentId: "fresh",
    manifest: appManifestSchema.parse({ endpoints: { "/ping": { get: { js_module: "ping.js", js_function: "ping" } } } }),
    modules: new Map([["ping.js", "const state = { calls: 0 }; export function ping() { state.calls++; return { body: state.calls }; }"]]),
    disableBytecodeCache: false,
    limits,
    kv: new KvStore(limits.kvMaxBytes, limits.maxResponseBytes),
    platform: { chatSend: unused, chatDelete: unused, userGet: unused, streamStatus: unused, pagePublish: unused, rpcEmit: () => undefined },
    log: () => undefined,
    commitKv: async () => undefined,
    onViolation: (reason) => violations.push(reason),
  });
  await instance.start();
  const request = { method: "GET", endpoint: "/ping", path: "/ping", url: "/ping", params: {}, query: "", headers: {}, body: new Uint8Array(0), caller: null };
  const bodies: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 250; i++) bodies.push(Buffer.from((await instance.handle(request)).body).toString());
    }),
  );
  instance.dispose();
  expect(violations).toEqual([]);
  // Each request saw the module's state fresh.
  expect(new Set(bodies)).toEqual(new Set(["1"]));
}, 60_000);
