// npm run bench:app-pages — app pages' real-time path on this machine. Prints JSON (medians over
// rounds):
//   rpc: ms per rpc call as a page's host makes it (socket /apps → server → bus → worker →
//     isolate and back), sequential (latency) and with --concurrency calls in flight (calls/s);
//   fanout: ms from one call that emits to every page until the last of --pages open pages
//     heard the event (emit → bus → server → Socket.IO rooms).
//
//   npm run bench:app-pages -- [--calls 1000] [--concurrency 16] [--pages 200] [--rounds 3] [--out bench/app-pages/results/<name>.json]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { io, type Socket } from "socket.io-client";
import { startServer, waitFor } from "../../tests/helpers/server";
import { TestClient } from "../../tests/helpers/http-client";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "16" },
    pages: { type: "string", default: "200" },
    rounds: { type: "string", default: "3" },
    out: { type: "string" },
  },
});
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);
const pageCount = Number(values.pages);
const rounds = Number(values.rounds);

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
const median = (samples: number[]) => percentile(samples, 50);

const benchApp = {
  actions: [
    {
      name: "set_js_app",
      args: {
        bundle: {
          metadata: { main: "main.js", permissions: ["rpc", "pages"], pages: { p: { file: "p.html", title: "P" } } },
          modules: [{ name: "main.js", module: 'canopy.rpc.register("echo", "guest", (context, value) => value); canopy.rpc.register("shout", "guest", (context, n) => { canopy.rpc.emit("shout", n); return n; }); canopy.pages.publish("p");' }],
          files: [{ path: "p.html", base64: Buffer.from("<!doctype html><title>P</title>").toString("base64") }],
        },
      },
    },
  ],
};

const server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "benchstaff", CANOPY_ADMIN_PASSWORD: "bench-staff-password" } });
try {
  const staff = new TestClient(server.url);
  if (!(await staff.signIn("benchstaff", "bench-staff-password"))) throw new Error("could not sign in");
  await staff.mutation("apps.create", { id: "bench", name: "bench" });
  await waitFor(async () => (await staff.fetch("/api/apps/bench/deploy", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(benchApp) })).status === 200, 60_000, 300);
  // The rpc:call rate limit is per connection: the bench spreads calls over many connections.
  const openPage = async (): Promise<Socket> => {
    const socket = io(`${server.url}/apps`, { transports: ["websocket"], extraHeaders: { origin: server.url }, forceNew: true });
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    const joined = (await socket.emitWithAck("page:join", { appId: "bench", pageId: "p" })) as { error?: unknown };
    if (joined.error) throw new Error(`join failed: ${JSON.stringify(joined.error)}`);
    return socket;
  };
  await waitFor(async () => {
    const probe = await openPage().catch(() => null);
    probe?.close();
    return probe !== null;
  }, 20_000, 200);
  const pages: Socket[] = [];
  for (let i = 0; i < Math.max(pageCount, concurrency); i++) pages.push(await openPage());

  const call = async (socket: Socket, method: string, arg: unknown) => {
    const reply = (await socket.emitWithAck("rpc:call", { appId: "bench", pageId: "p", method, args: [arg] })) as { error?: { code: string } };
    if (reply.error) throw new Error(`rpc failed: ${reply.error.code}`);
  };

  const sequentialMs: number[] = [];
  const throughput: number[] = [];
  const fanoutMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Sequential latency, one call at a time, rotating connections to stay under the rate limit.
    const latencies: number[] = [];
    for (let i = 0; i < Math.min(calls, 300); i++) {
      const started = performance.now();
      await call(pages[i % pages.length]!, "echo", i);
      latencies.push(performance.now() - started);
    }
    sequentialMs.push(median(latencies));

    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, lane) => {
        while (next < calls) {
          const i = next++;
          await call(pages[(lane + i) % pages.length]!, "echo", i);
        }
      }),
    );
    throughput.push(calls / ((performance.now() - started) / 1000));

    // Fan-out: every page listens; one call emits; time until the last page heard it.
    const listeners = pages.slice(0, pageCount);
    const heard = Promise.all(listeners.map((socket) => new Promise<void>((resolve) => socket.once("rpc:event", () => resolve()))));
    const emitted = performance.now();
    await call(pages[0]!, "shout", r);
    await heard;
    fanoutMs.push(performance.now() - emitted);
    await new Promise((resolve) => setTimeout(resolve, 5_000 / 5)); // let the per-connection rate windows drain
  }
  for (const socket of pages) socket.close();

  const result = {
    bench: "app-pages",
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    rounds,
    rpc: { sequentialMsMedian: round(median(sequentialMs)), callsPerSecondMedian: round(median(throughput), 0), concurrency, calls },
    fanout: { pages: pageCount, lastPageMsMedian: round(median(fanoutMs)) },
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.out) {
    fs.mkdirSync(path.dirname(values.out), { recursive: true });
    fs.writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  }
} finally {
  await server.stop();
}
