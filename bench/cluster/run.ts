// npm run bench:cluster — the chat benchmark (bench/chat) at one load against one Canopy node and
// against two nodes sharing PostgreSQL and Redis (receivers and senders spread over both), one
// run each. Prints bench:chat's JSON, whose `clusterComparison` holds delivered/s (two ÷ one,
// target ≥ 0.9), p99 and losses, and saves it to bench/cluster/results/<date>.json.
//
//   npm run bench:cluster -- [any bench:chat option, e.g. --clients 500 --rate 20 --seconds 20]
//
// DATABASE_URL (default the local PostgreSQL) and REDIS_URL (default the local Redis) must answer;
// the one-node leg runs on PostgreSQL too, so the two legs differ only in the number of nodes.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, "../..");

const child = spawn(process.execPath, ["--import", "tsx", "bench/chat/run.ts", "--legs", "canopy,cluster", "--rounds", "1", ...process.argv.slice(2)], {
  cwd: projectRoot,
  env: {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres",
    REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const chunks: Buffer[] = [];
child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
const stop = () => child.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
child.on("exit", (code) => {
  const text = Buffer.concat(chunks).toString();
  if (code !== 0) {
    process.stderr.write(`bench:cluster: bench:chat exited with ${code}\n${text}`);
    process.exit(code ?? 1);
  }
  const result = { benchmark: "cluster", ...(JSON.parse(text) as Record<string, unknown>) };
  const file = path.join(here, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`saved ${path.relative(projectRoot, file)}\n`);
});
