// What the rest of the server (editor, review, staff pages) asks of the app runtime, and what the
// runtime reports. The runtime registers one AppRuntimeControl in services(); nothing else talks
// to workers about apps.
import type { BundleIssue, StoredBundle } from "./bundle";

/** Which isolate: the app's active deployment, or the private preview of its draft. */
export type AppTarget = "live" | "preview";

/** Steps of a deployment, shown as progress in the review and staff pages. */
export type DeployStep = "validating" | "compiling" | "starting" | "health-check" | "switched";

export type AppLogEntry = {
  /** Increases per app and target, so a console can ask for what it missed. */
  seq: number;
  at: number;
  target: AppTarget;
  level: "log" | "info" | "warn" | "error" | "debug" | "metric" | "violation" | "system";
  message: string;
  /** Stack lines mapped to the developer's source (module path inside src/, 1-based line and column). */
  stack?: { module: string; line: number; column?: number; functionName?: string }[];
  /** For level "metric": CCF-style execution metrics of one request. */
  metrics?: { method: string; path: string; status: number; execMs: number };
};

export type AppRuntimeStatus = {
  appId: string;
  target: AppTarget;
  state: "running" | "starting" | "stopped" | "suspended" | "failed";
  deploymentId?: string;
  workerId?: string;
  /** Why it is failed or suspended. */
  reason?: string;
  memoryBytes?: number;
  cpuMsLastMinute?: number;
  violations: number;
};

export type DeployResult =
  | { ok: true; deploymentId: string; contentHash: string }
  | { ok: false; step: DeployStep; reason: string; issues?: BundleIssue[] };

/** A deployment the caller has just stored and validated, so activation need not read it back. */
export type KnownDeployment = { id: string; number: number; contentHash: string; bundle: StoredBundle; disableBytecodeCache: boolean; ownerId: string };

export interface AppRuntimeControl {
  /**
   * Makes `deploymentId` the app's active deployment: validate, compile, start a new isolate,
   * health-check it, then move traffic (requests in flight finish on the old one). On failure the
   * previous deployment keeps serving. `onProgress` sees each step as it starts.
   */
  activateDeployment(options: { appId: string; deploymentId: string; actorId: string | null; onProgress?: (step: DeployStep) => void; known?: KnownDeployment }): Promise<DeployResult>;
  /** (Re)starts the private preview isolate from the app's current draft files, or from `bundle` (a proposal's snapshot). */
  startPreview(options: { appId: string; actorId: string; bundle?: StoredBundle }): Promise<DeployResult>;
  stopPreview(options: { appId: string }): Promise<void>;
  startApp(options: { appId: string; actorId: string }): Promise<AppRuntimeStatus>;
  stopApp(options: { appId: string; actorId: string; reason?: string }): Promise<AppRuntimeStatus>;
  restartApp(options: { appId: string; actorId: string }): Promise<AppRuntimeStatus>;
  status(options: { appId: string; target: AppTarget }): Promise<AppRuntimeStatus>;
  /** The newest log entries (after `afterSeq` when given), oldest first. */
  logs(options: { appId: string; target: AppTarget; afterSeq?: number; limit?: number }): Promise<AppLogEntry[]>;
  /** Forgets everything the runtime holds for an app that was deleted. */
  removeApp(options: { appId: string }): Promise<void>;
}
