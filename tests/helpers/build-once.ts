// Integration tests run the real server, which serves the production build.
import { spawnSync } from "node:child_process";

export default function setup(): void {
  const result = spawnSync("node", ["scripts/ensure-build.mjs"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("next build failed");
}
