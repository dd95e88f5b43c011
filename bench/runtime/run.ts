// npm run bench:runtime — the app runtime on this machine. Prints JSON (medians over rounds):
//   http: req/s, p50, p99 of one endpoint through the whole stack (HTTP → server → bus → worker →
//     isolate and back) vs the same handler as a plain Next route handler (/api/bench/baseline,
//     served only under BENCH_BASELINE_ROUTE=true), same client, same run (target ratio ≥ 0.7);
//     also the same endpoint with interpreter_reuse, to show what a fresh context per request costs;
//   calls: host↔isolate overhead in one worker process — µs per isolate → host call (a KV lookup,
//     ccf.kv[map].has), µs per ccf.bufToStr (converted inside the isolate, no host call), and µs per
//     endpoint call into an isolate (fresh context, and with interpreter_reuse);
//   deploy: deploy-to-first-answer of a small app end to end (POST deploy → first 200) and the
//     runtime's own activation (transpile + isolate + health check) (target < 50 ms);
//   idle: worker RSS per idle app with --apps small apps deployed (target < 3 MB each).
//
//   npm run bench:runtime -- [--seconds 5] [--rounds 2] [--concurrency 16] [--apps 200] [--deploys 10]
//                            [--calls 20000] [--out bench/runtime/results/<name>.json] [--in-process]
import os from "node:os";
import { parseArgs } from "node:util";
import { httpLoad, median, percentile, printReport, round } from "../measure";
import { startServer, waitFor, type RunningServer } from "../../tests/helpers/server";
import { TestClient } from "../../tests/helpers/http-client";
import { appHostPidsOf, rssMbOf, workerPidOf } from "../../tests/helpers/processes";
import { AppInstance, type AppRequest } from "../../worker/apps/app-instance";
import { skipWebAssemblyInNewContexts } from "../../worker/apps/isolate-flags";
import { KvStore } from "../../worker/apps/kv-store";
import { byteBudget, type RuntimeLimits } from "../../worker/apps/limits";
import { transpileModules } from "../../worker/apps/transpile";
import { appManifestSchema } from "../../server/apps/manifest";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "2" },
    concurrency: { type: "string", default: "16" },
    apps: { type: "string", default: "200" },
    deploys: { type: "string", default: "10" },
    calls: { type: "string", default: "20000" },
    out: { type: "string" },
    /** Only the in-process measurements (calls, activation), without starting a server. */
    "in-process": { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const idleApps = Number(values.apps);
const deploys = Number(values.deploys);
const hostCalls = Number(values.calls);


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The handler both legs run: the app's endpoint and the baseline route answer the same JSON.
const pingModule = "export function ping(request: { query: string }): { body: unknown } { return { body: { pong: 1, q: request.query } }; }";
function pingProposal(marker = "") {
  return {
    actions: [
      {
        name: "set_js_app",
        args: {
          bundle: {
            metadata: {
              endpoints: {
                "/ping": { get: { js_module: "ping.ts", js_function: "ping", authn_policies: ["no_auth"], mode: "readonly" } },
                // The same handler in a reused context: what a fresh context per request costs.
                "/ping-reused": { get: { js_module: "ping.ts", js_function: "ping", authn_policies: ["no_auth"], mode: "readonly", interpreter_reuse: { key: "ping" } } },
              },
            },
            modules: [{ name: "ping.ts", module: `${pingModule}\n// ${marker}` }],
          },
        },
      },
    ],
  };
}

async function load(url: string, durationMs: number) {
  const { requestsPerSecond, p50Ms, p99Ms, errors } = await httpLoad({ url, concurrency, durationMs });
  return { requestsPerSecond, p50Ms, p99Ms, errors };
}

function medianOf<T extends Record<string, number>>(runs: T[]): T {
  const out: Record<string, number> = {};
  for (const key of Object.keys(runs[0]!)) out[key] = round(median(runs.map((run) => run[key]!)), 2);
  return out as T;
}

/** RSS of the server's worker process and of its app hosts (where the isolates live), in MB. */
function workerRssMb(serverPid: number): number {
  const worker = workerPidOf(serverPid);
  if (!worker) throw new Error("worker process not found");
  return rssMbOf(worker) + appHostPidsOf(worker).reduce((sum, host) => sum + rssMbOf(host), 0);
}

// ——— in-process: host↔isolate overhead and the runtime's activation ———

const limits: RuntimeLimits = {
  memoryMb: 64,
  cpuMsPerEntry: 10_000,
  requestTimeoutMs: 60_000,
  cpuBudgetMsPerMinute: 10_000_000,
  maxTimers: 200,
  logLinesPerSecond: 50,
  kvMaxBytes: 10 * 1024 * 1024,
  chatSendsPerMinute: 20,
  bytes: byteBudget(1024 * 1024),
  suspendAfterViolations: 8,
  violationWindowMs: 600_000,
};

function instanceOf(bundle: { metadata: unknown; modules: { name: string; module: string }[] }): AppInstance {
  const manifest = appManifestSchema.parse(bundle.metadata);
  const { modules, issues } = transpileModules(bundle.modules);
  if (issues.length) throw new Error(JSON.stringify(issues));
  const unused = () => Promise.reject(new Error("not in this benchmark"));
  return new AppInstance({
    appId: "bench",
    target: "live",
    deploymentId: "bench",
    manifest,
    modules,
    disableBytecodeCache: false,
    limits,
    kv: new KvStore(limits.kvMaxBytes, limits.bytes),
    platform: { chatSend: unused, chatDelete: unused, userGet: unused, streamStatus: unused, pagePublish: unused, rpcEmit: () => undefined },
    log: () => undefined,
    commitKv: async () => undefined,
    onViolation: () => undefined,
  });
}

function request(endpoint: string, query = ""): AppRequest {
  return { method: "GET", endpoint, path: endpoint, url: endpoint, params: {}, query, headers: {}, body: new Uint8Array(0), caller: null };
}

async function timeRequests(instance: AppInstance, endpoint: string, query: string, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await instance.handle(request(endpoint, query));
    if (response.status !== 200) throw new Error(`${endpoint} answered ${response.status}`);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function callOverhead() {
  // query "host:<n>": n KV lookups (each a call into the host); "local:<n>": n conversions in the isolate.
  const callsModule = `export function calls(request) {
    const [kind, count] = request.query.split(":");
    const n = Number(count);
    const buffer = ccf.strToBuf("x");
    const map = ccf.kv["bench"];
    if (kind === "host") for (let i = 0; i < n; i++) map.has(buffer);
    else for (let i = 0; i < n; i++) ccf.bufToStr(buffer);
    return { body: "ok" };
  }`;
  const endpoint = (reuse: boolean) => ({ js_module: "calls.js", js_function: "calls", mode: "readonly", ...(reuse ? { interpreter_reuse: { key: "r" } } : {}) });
  const instance = instanceOf({ metadata: { endpoints: { "/calls": { get: endpoint(false) }, "/reused": { get: endpoint(true) } } }, modules: [{ name: "calls.js", module: callsModule }] });
  await instance.start();
  await timeRequests(instance, "/reused", "host:0", 50);
  const reused = median(await timeRequests(instance, "/reused", "host:0", 400));
  const withHostCalls = median(await timeRequests(instance, "/reused", `host:${hostCalls}`, 15));
  const withConversions = median(await timeRequests(instance, "/reused", `local:${hostCalls}`, 15));
  await timeRequests(instance, "/calls", "host:0", 20);
  const fresh = median(await timeRequests(instance, "/calls", "host:0", 200));
  instance.dispose();
  return {
    isolateToHostCallUs: round(((withHostCalls - reused) * 1000) / hostCalls, 2),
    inIsolateConversionUs: round(((withConversions - reused) * 1000) / hostCalls, 3),
    endpointCallFreshContextUs: round(fresh * 1000),
    endpointCallReusedContextUs: round(reused * 1000),
  };
}

async function activation() {
  const samples: number[] = [];
  for (let i = 0; i < Math.max(5, deploys); i++) {
    const bundle = pingProposal(String(i)).actions[0]!.args.bundle;
    const started = performance.now();
    const instance = instanceOf(bundle);
    await instance.start();
    await instance.handle(request("/ping"));
    samples.push(performance.now() - started);
    instance.dispose();
  }
  return { medianMs: round(median(samples), 2), p90Ms: round(percentile(samples, 90), 2) };
}

// ——— through the whole stack ———

async function main() {
  const loadAtStart = os.loadavg()[0]!;
  // In-process measurements run with the worker's isolate flags.
  skipWebAssemblyInNewContexts();
  const calls = await callOverhead();
  const runtimeActivation = await activation();
  if (values["in-process"]) return console.log(JSON.stringify({ bench: "runtime", calls, runtimeActivationMs: runtimeActivation }, null, 2));

  let server: RunningServer | undefined;
  const stop = async () => {
    await server?.stop();
    server = undefined;
  };
  process.on("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    server = await startServer({ env: { BENCH_BASELINE_ROUTE: "true", CANOPY_ADMIN_USERNAME: "benchstaff", CANOPY_ADMIN_PASSWORD: "bench-staff-password" } });
    const staff = new TestClient(server.url);
    if (!(await staff.signIn("benchstaff", "bench-staff-password"))) throw new Error("sign-in failed");
    const deploy = async (appId: string, proposal: unknown) =>
      staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(proposal) });
    const create = async (appId: string) => {
      const created = await staff.mutation("apps.create", { id: appId, name: appId });
      if (created.error) throw new Error(`apps.create ${appId}: ${created.error.message}`);
    };

    await create("bench");
    // The worker announces the apps capability with its first heartbeat.
    await waitFor(async () => (await deploy("bench", pingProposal())).status === 200, 30_000, 200);
    const appUrl = `${server.url}/apps/bench/api/ping?x=1`;
    const baselineUrl = `${server.url}/api/bench/baseline?x=1`;
    for (const url of [appUrl, baselineUrl]) {
      const response = await fetch(url);
      const body = await response.json();
      if (response.status !== 200 || JSON.stringify(body) !== JSON.stringify({ pong: 1, q: "x=1" })) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
    }
    await load(appUrl, 1000);
    await load(baselineUrl, 1000);
    const reusedUrl = `${server.url}/apps/bench/api/ping-reused?x=1`;
    const runs: Record<"app" | "baseline" | "appReusedContext", Awaited<ReturnType<typeof load>>[]> = { app: [], baseline: [], appReusedContext: [] };
    const urls = { app: appUrl, baseline: baselineUrl, appReusedContext: reusedUrl };
    for (let i = 0; i < rounds; i++) {
      // Legs alternate (baseline, app, app, baseline, …) so drift hits both alike.
      const order = i % 2 === 0 ? (["baseline", "app", "appReusedContext"] as const) : (["appReusedContext", "app", "baseline"] as const);
      for (const leg of order) runs[leg].push(await load(urls[leg], seconds * 1000));
    }
    const app = medianOf(runs.app);
    const baseline = medianOf(runs.baseline);
    const appReusedContext = medianOf(runs.appReusedContext);

    const endToEnd: number[] = [];
    for (let i = 0; i < deploys; i++) {
      const appId = `deploy-${i}`;
      await create(appId);
      const started = performance.now();
      const response = await deploy(appId, pingProposal(appId));
      if (response.status !== 200) throw new Error(`deploy ${appId}: ${response.status} ${await response.text()}`);
      await waitFor(async () => (await fetch(`${server!.url}/apps/${appId}/api/ping`)).status === 200, 10_000, 1);
      endToEnd.push(performance.now() - started);
    }

    await sleep(2000);
    const before = workerRssMb(server.process.pid!);
    for (let i = 0; i < idleApps; i++) {
      const appId = `idle-${i}`;
      await create(appId);
      const response = await deploy(appId, pingProposal(appId));
      if (response.status !== 200) throw new Error(`deploy ${appId}: ${response.status} ${await response.text()}`);
    }
    await sleep(5000);
    const after = workerRssMb(server.process.pid!);

    const result = {
      bench: "runtime",
      at: new Date().toISOString(),
      options: { seconds, rounds, concurrency, apps: idleApps, deploys, calls: hostCalls },
      // Other work on the machine moves every number here; the load average says how much there was.
      machine: { cpus: os.cpus().length, loadAverage1m: { start: round(loadAtStart, 2), end: round(os.loadavg()[0]!, 2) } },
      http: {
        app,
        baseline,
        ratio: round(app.requestsPerSecond / baseline.requestsPerSecond, 2),
        target: "ratio ≥ 0.7",
        appReusedContext,
        reusedContextRatio: round(appReusedContext.requestsPerSecond / baseline.requestsPerSecond, 2),
      },
      calls,
      deploy: {
        endToEndMs: { median: round(median(endToEnd), 2), p90: round(percentile(endToEnd, 90), 2) },
        runtimeActivationMs: runtimeActivation,
        target: "< 50 ms",
      },
      idle: { apps: idleApps, workerRssBeforeMb: round(before), workerRssAfterMb: round(after), perAppMb: round((after - before) / idleApps, 2), target: "< 3 MB per app" },
    };
    printReport(result, values.out);
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
