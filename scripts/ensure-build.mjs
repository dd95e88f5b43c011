// Runs `next build` when there is no production build or the sources changed since the last one,
// so `npm start` on a fresh clone just works and a second start is instant.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = process.cwd();
const buildId = path.join(root, ".next", "BUILD_ID");
const sources = ["app", "server", "public", "next.config.ts", "package.json", "tsconfig.json"];

function newestMtime(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(full)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
const changedAt = Math.max(...sources.map(newestMtime));
if (builtAt > changedAt && process.env.CANOPY_FORCE_BUILD !== "1") process.exit(0);

console.log(builtAt ? "Sources changed since the last build; building…" : "No production build yet; building…");
const result = spawnSync("npx", ["next", "build"], {
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
});
process.exit(result.status ?? 1);
