// npm run bench:web — the web baseline later issues must not regress: production build time
// (median of --runs clean builds) and the first-load JS of the home route, gzip-compressed,
// measured from what a browser actually downloads. Prints JSON.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { startServer } from "../tests/helpers/server";
import { firstLoadJsOf } from "./first-load-js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, route: { type: "string", default: "/" } } });
const runs = Math.max(1, Number(values.runs));

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function cleanBuildSeconds(): number {
  fs.rmSync(".next", { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync("npx", ["next", "build"], { stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" } });
  if (result.status !== 0) throw new Error("next build failed");
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function firstLoadJs(route: string) {
  const server = await startServer({ env: { CANOPY_START_WORKER: "false" } });
  try {
    return await firstLoadJsOf({ origin: server.url, path: route });
  } finally {
    await server.stop();
  }
}

const buildSamples: number[] = [];
for (let run = 0; run < runs; run++) buildSamples.push(cleanBuildSeconds());
const js = await firstLoadJs(values.route!);

console.log(
  JSON.stringify(
    {
      benchmark: "web",
      node: process.version,
      build: { runs, medianSeconds: Number(median(buildSamples).toFixed(2)), samplesSeconds: buildSamples.map((s) => Number(s.toFixed(2))) },
      firstLoadJs: { route: values.route, ...js },
    },
    null,
    2,
  ),
);
process.exit(0);
