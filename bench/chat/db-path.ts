// npx tsx bench/chat/db-path.ts — what the database part of one chat message costs on the
// embedded database (PGlite + Prisma, as the server opens it), query by query, in CPU and wall
// milliseconds per operation, next to a batched insert (CPU is this process's, the share the
// server pays; PGlite's own work is in its database process). Prints JSON. A companion to run.ts: the
// server's message path (server/chat/send-message.ts) runs these queries for every message.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../../server/db/client";

const { values } = parseArgs({ options: { n: { type: "string", default: "300" } } });
const n = Math.max(10, Number(values.n));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-db-path-"));
const db = await openDatabase({ dataDir: dir });
const results: Record<string, { cpuMsPerOp: number; wallMsPerOp: number }> = {};
try {
  const { prisma } = db;
  const owner = await prisma.user.create({ data: { username: "owner1", passwordHash: "x", displayName: "owner1" } });
  const member = await prisma.user.create({ data: { username: "member1", passwordHash: "x", displayName: "member1" } });
  const channel = await prisma.channel.create({ data: { name: "owner1", ownerId: owner.id } });
  const row = (text: string) => ({ authorId: member.id, username: "member1", displayName: "member1", color: "#888888", text, type: "CHANNEL" as const, target: "owner1", channelId: channel.id });

  async function time(label: string, ops: number, fn: (i: number) => Promise<unknown>, perOp = 1) {
    for (let i = 0; i < Math.min(50, ops); i++) await fn(i); // warm-up
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < ops; i++) await fn(i);
    const used = process.cpuUsage(cpu);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    results[label] = { cpuMsPerOp: round((used.user + used.system) / 1000 / ops / perOp), wallMsPerOp: round((performance.now() - started) / ops / perOp) };
  }

  await time("channel.findUnique (findChannel)", n, () => prisma.channel.findUnique({ where: { name: "owner1" } }));
  await time("channelBan.findUnique (ban check)", n, () => prisma.channelBan.findUnique({ where: { channelId_userId: { channelId: channel.id, userId: member.id } } }));
  await time("chatMessage.create (store)", n, (i) => prisma.chatMessage.create({ data: row(`single ${i}`) }));
  await time("message path: the three above", n, async (i) => {
    await prisma.channel.findUnique({ where: { name: "owner1" } });
    await prisma.channelBan.findUnique({ where: { channelId_userId: { channelId: channel.id, userId: member.id } } });
    await prisma.chatMessage.create({ data: row(`path ${i}`) });
  });
  await time("chatMessage.createMany of 20, per message", Math.ceil(n / 20), (i) => prisma.chatMessage.createMany({ data: Array.from({ length: 20 }, (_, k) => row(`batch ${i} ${k}`)) }), 20);
  await time("$queryRaw SELECT 1 (floor)", n, () => prisma.$queryRaw`SELECT 1`);
} finally {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ benchmark: "chat-db-path", node: process.version, database: db.kind, opsPerQuery: n, loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100), results }, null, 2));
process.exit(0);
