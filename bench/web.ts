// npm run bench:web — the web baseline later issues must not regress: production build time
// (median of --runs clean builds) and the first-load JS of the home route, gzip-compressed,
// measured from what a browser actually downloads. Prints JSON.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { startServer } from "../tests/helpers/server";

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
    const html = await (await fetch(server.url + route)).text();
    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1]!);
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]!).join("");
    let rawBytes = 0;
    let gzipBytes = 0;
    for (const source of new Set(sources)) {
      const body = Buffer.from(await (await fetch(new URL(source, server.url))).arrayBuffer());
      rawBytes += body.length;
      gzipBytes += zlib.gzipSync(body, { level: 9 }).length;
    }
    return { scripts: new Set(sources).size, rawBytes, gzipBytes, inlineGzipBytes: zlib.gzipSync(inline, { level: 9 }).length };
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
      firstLoadJs: { route: values.route, ...js, gzipKiB: Number((js.gzipBytes / 1024).toFixed(1)) },
    },
    null,
    2,
  ),
);
process.exit(0);
