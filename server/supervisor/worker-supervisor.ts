// Starts the worker as a child process and restarts it after any exit (SIGKILL included) with
// exponential back-off; a worker that stayed up for a while starts again from the short delay.
// Nothing the worker does can take the server down: it is a separate process.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../logger";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const workerEntry = path.join(projectRoot, "worker/index.ts");

export type WorkerSupervisor = { stop(): Promise<void>; pid(): number | undefined; restarts(): number };

export function superviseWorker(options: {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  minDelayMs?: number;
  maxDelayMs?: number;
  stableAfterMs?: number;
}): WorkerSupervisor {
  const minDelay = options.minDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const stableAfter = options.stableAfterMs ?? 30_000;
  let child: ChildProcess | undefined;
  let delay = minDelay;
  let restartCount = 0;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  // One id across restarts: a restarted worker announces it runs none of the apps placed on that id,
  // and they start again at once (its predecessor is known dead) instead of after their leases run out.
  const env = { ...options.env, CANOPY_WORKER_ID: options.env.CANOPY_WORKER_ID ?? randomUUID().slice(0, 8) };

  function start(): void {
    const startedAt = Date.now();
    // --no-node-snapshot: required by isolated-vm for the app runtime.
    child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", workerEntry], {
      cwd: projectRoot,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    options.logger.info("worker started", { pid: child.pid });
    child.on("error", (error) => options.logger.error("worker failed to start", { error: error.message }));
    child.on("exit", (code, signal) => {
      child = undefined;
      if (stopping) return;
      if (Date.now() - startedAt > stableAfter) delay = minDelay;
      options.logger.warn("worker exited; restarting", { code, signal, delayMs: delay });
      restartTimer = setTimeout(() => {
        restartCount++;
        start();
      }, delay);
      delay = Math.min(delay * 2, maxDelay);
    });
  }

  start();

  return {
    pid: () => child?.pid,
    restarts: () => restartCount,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const running = child;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const killTimer = setTimeout(() => running.kill("SIGKILL"), 5000);
        running.once("exit", () => {
          clearTimeout(killTimer);
          resolve();
        });
        running.kill("SIGTERM");
      });
    },
  };
}
