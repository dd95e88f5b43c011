// Starts the real server (production build, embedded database in a temporary DATA_DIR unless
// DATABASE_URL is set) on a free port, with its supervised worker, as a user would run it.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type RunningServer = {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  logs: string[];
  databaseUrl?: string;
  /** Stops the server; a database made for it is dropped unless `keepDatabase` (restart tests). */
  stop(signal?: NodeJS.Signals, options?: { keepDatabase?: boolean }): Promise<number | null>;
};

/**
 * With DATABASE_URL set (CI on PostgreSQL), every server gets a fresh database on that server,
 * dropped when it stops, so test files never see each other's rows.
 */
export async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import("pg");
  const name = `canopy_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startServer(options: { env?: Record<string, string>; dataDir?: string; databaseUrl?: string } = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "canopy-test-"));
  const database = !options.databaseUrl && process.env.DATABASE_URL ? await freshPostgresDatabase(process.env.DATABASE_URL) : undefined;
  const databaseUrl = options.databaseUrl ?? database?.url;
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      HEARTBEAT_INTERVAL_SECONDS: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl ?? "",
      // Chromium starts only when a test opens a render session (the machines are shared).
      RENDER_WARM_POOL: "0",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started server (and its worker and browser) behind.
      child.kill("SIGTERM");
      reject(new Error(`server did not start:\n${logs.join("")}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      const match = text.match(/"message":"listening","port":(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join("")}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    process: child,
    logs,
    databaseUrl,
    async stop(signal = "SIGTERM", stopOptions = {}) {
      const code = await new Promise<number | null>((resolve) => {
        // A process killed by a signal has no exit code, only a signal code.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once("exit", (exitCode) => resolve(exitCode));
        child.kill(signal);
      });
      if (!stopOptions.keepDatabase) await database?.drop();
      return code;
    },
  };
}

/** Polls until the check passes or the time runs out; returns how long it took. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 100): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await Promise.resolve().then(check).catch(() => false)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/**
 * Waits until the server reports the service alive. On a timeout the error carries the last
 * status and the end of the server's log, so a CI failure says why.
 */
export async function waitForService(server: Pick<RunningServer, "url" | "logs">, service: "ingest" | "apps" | "render", timeoutMs: number): Promise<void> {
  let last: unknown;
  const alive = async () => {
    last = ((await (await fetch(`${server.url}/api/external/`)).json()) as { status: Record<string, string> }).status;
    return (last as Record<string, string>)[service] === "alive";
  };
  await waitFor(alive, timeoutMs, 200).catch(() => {
    const logTail = server.logs.join("").split("\n").slice(-40).join("\n");
    throw new Error(`${service} not alive within ${timeoutMs} ms; last status ${JSON.stringify(last)}; server log ends:\n${logTail}`);
  });
}
