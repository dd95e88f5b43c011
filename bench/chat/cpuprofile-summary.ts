// Summarises a V8 .cpuprofile (from node --cpu-prof): top functions by self time, self time by
// package/file, and total (inclusive) time of the functions matching --focus.
//   npx tsx bench/chat/cpuprofile-summary.ts FILE.cpuprofile [--top 30] [--focus regex] [--stacks regex]
// --stacks prints the commonest call stacks (8 frames up) of samples inside matching frames.
// Always prints a breakdown by layer: each sample goes to the nearest frame (leaf upwards) that
// belongs to a known layer, so native writes count for Socket.IO and WASM for its caller.
import fs from "node:fs";
import { parseArgs } from "node:util";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "30" }, focus: { type: "string" }, stacks: { type: "string" } } });
const top = Number(values.top);

for (const file of positionals) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  const label = (node: Node) => {
    const url = node.callFrame.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "nm:");
    return `${node.callFrame.functionName || "(anonymous)"} ${url}:${node.callFrame.lineNumber + 1}`;
  };
  const group = (node: Node) => {
    const url = node.callFrame.url;
    if (!url) return node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : "(native/builtin)";
    const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    if (pkg) return pkg[1]!;
    if (url.startsWith("node:")) return url;
    return url.replace(/^file:\/\//, "").replace(/.*?\/(server|bench|app|\.next)\//, "$1/");
  };
  const selfByLabel = new Map<string, number>();
  const selfByGroup = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    selfByLabel.set(label(node), (selfByLabel.get(label(node)) ?? 0) + us);
    selfByGroup.set(group(node), (selfByGroup.get(group(node)) ?? 0) + us);
  }
  const idle = [...selfByLabel].filter(([name]) => name.startsWith("(idle)")).reduce((sum, [, us]) => sum + us, 0);
  const busy = totalUs - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(`\n=== ${file}\nwall ${(totalUs / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages of busy)`);
  console.log("\n-- self time by package/file");
  for (const [name, us] of [...selfByGroup].sort((a, b) => b[1] - a[1]).slice(0, top)) if (!name.startsWith("(idle)")) console.log(`${pct(us)}  ${name}`);
  console.log("\n-- self time by function");
  for (const [name, us] of [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, top)) if (!name.startsWith("(idle)")) console.log(`${pct(us)}  ${name}`);
  const layers: Array<[string, RegExp]> = [
    ["database engine: PGlite (Postgres in WASM + its JS glue, file system)", /@electric-sql\/pglite/],
    ["database client: Prisma (query compiler WASM, runtime, driver adapter)", /@prisma\/|query_compiler|pglite-prisma-adapter|prisma-adapter/],
    ["Socket.IO stack (socket.io, engine.io, ws, adapter, parser) incl. socket writes", /node_modules\/(socket\.io|engine\.io|ws|socket\.io-adapter|socket\.io-parser|@socket\.io)[/-]/],
    ["zod", /node_modules\/zod\//],
    ["Next.js", /node_modules\/next\//],
    ["application code (server/, bench/)", /\/(server|bench)\/.*\.ts/],
  ];
  const byLayer = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const leaf = byId.get(id)!;
    const name = leaf.callFrame.functionName;
    if (name === "(idle)") return;
    let layer = name === "(garbage collector)" ? "garbage collector" : name === "(program)" ? "(program)" : undefined;
    for (let at: number | undefined = id; !layer && at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      layer = layers.find(([, pattern]) => pattern.test(url))?.[0];
    }
    layer ??= "other (node internals, timers, unattributed)";
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log("\n-- by layer");
  for (const [name, us] of [...byLayer].sort((a, b) => b[1] - a[1])) console.log(`${pct(us)}  ${name}`);
  if (values.focus) {
    // Inclusive time: a sample counts once for every distinct matching frame on its stack.
    const focus = new RegExp(values.focus);
    const inclusive = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const name = label(byId.get(at)!);
        if (focus.test(name) && !seen.has(name)) {
          seen.add(name);
          inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
        }
      }
    });
    console.log(`\n-- inclusive time of frames matching /${values.focus}/`);
    for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${name}`);
  }
  if (values.stacks) {
    const match = new RegExp(values.stacks);
    const stacks = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const frames: string[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(label(byId.get(at)!));
      const hit = frames.findIndex((name) => match.test(name));
      if (hit < 0) return;
      const key = frames.slice(hit, hit + 8).join("\n      <- ");
      stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    console.log(`\n-- stacks through /${values.stacks}/`);
    for (const [key, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${pct(us)}  ${key}`);
  }
}
