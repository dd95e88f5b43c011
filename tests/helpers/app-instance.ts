// An AppInstance for in-process tests: small limits, its own KV, no platform backend (every
// platform call fails), logs dropped. Violations go to `onViolation` when given; `deps` replaces
// any of its parts.
import { AppInstance, type AppInstanceDeps, type AppRequest } from "@/worker/apps/app-instance";
import { KvStore } from "@/worker/apps/kv-store";
import type { AppManifest } from "@/server/apps/manifest";
import { byteBudget, type RuntimeLimits } from "@/worker/apps/limits";

const testLimits: RuntimeLimits = { memoryMb: 32, cpuMsPerEntry: 1000, requestTimeoutMs: 5000, cpuBudgetMsPerMinute: 60_000, maxTimers: 10, logLinesPerSecond: 10, kvMaxBytes: 1 << 20, chatSendsPerMinute: 1, bytes: byteBudget(1 << 20), suspendAfterViolations: 8, violationWindowMs: 60_000 };

export function testAppInstance(options: { manifest: AppManifest; modules: Record<string, string>; limits?: Partial<RuntimeLimits>; disableBytecodeCache?: boolean; onViolation?: (reason: string) => void; deps?: Partial<AppInstanceDeps> }): AppInstance {
  const limits = { ...testLimits, ...options.limits };
  const unused = () => Promise.reject(new Error("unused"));
  return new AppInstance({
    appId: "test",
    target: "live",
    deploymentId: "test",
    manifest: options.manifest,
    modules: new Map(Object.entries(options.modules)),
    disableBytecodeCache: options.disableBytecodeCache ?? true,
    limits,
    kv: new KvStore(limits.kvMaxBytes, limits.bytes),
    platform: { chatSend: unused, chatDelete: unused, userGet: unused, streamStatus: unused, pagePublish: unused, rpcEmit: () => undefined },
    log: () => undefined,
    commitKv: async () => undefined,
    onViolation: (reason) => options.onViolation?.(reason),
    ...options.deps,
  });
}

/** A GET of `endpoint` without caller, query or body. */
export function getRequest(endpoint: string): AppRequest {
  return { method: "GET", endpoint, path: endpoint, url: endpoint, params: {}, query: "", headers: {}, body: new Uint8Array(0), caller: null };
}
