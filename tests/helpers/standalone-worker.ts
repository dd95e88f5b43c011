// A standalone worker process started the way `npm run worker` starts it (the same command), for
// tests and benches that run workers apart from the server nodes.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type StandaloneWorker = { workerId: string; process: ChildProcess; logs: string[]; kill(): Promise<void> };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Its own DATA_DIR and RTMP port, so several share one machine; `env` adds or overrides settings. */
export async function startStandaloneWorker(options: { workerId: string; serverUrl: string; internalSecret: string; env?: Record<string, string> }): Promise<StandaloneWorker> {
  const script = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.worker!;
  const [command, ...args] = script.split(" ");
  if (command !== "node") throw new Error(`npm run worker no longer starts with node: ${script}`);
  const logs: string[] = [];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: {
      ...process.env,
      CANOPY_SERVER_URL: options.serverUrl,
      INTERNAL_SECRET: options.internalSecret,
      CANOPY_WORKER_ID: options.workerId,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `canopy-${options.workerId}-`)),
      RTMP_PORT: String(await freePort()),
      HEARTBEAT_INTERVAL_SECONDS: "1",
      RENDER_WARM_POOL: "0",
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  return {
    workerId: options.workerId,
    process: child,
    logs,
    /** SIGKILL, resolved once the process is gone. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      });
    },
  };
}
