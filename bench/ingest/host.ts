// The ingest under benchmark, in a process of its own as in the worker: the real ingest service
// with a stub server end of the internal bus that accepts every key (benchkey<n> → channel
// bench<n>, public id benchpub<n>). Talks to bench/ingest/run.ts over IPC only; its stdout and
// stderr are the worker's log, which run.ts searches for stream keys.
import type { Envelope } from "../../server/internal/protocol";
import { createBusEndpoint, type BusEndpoint } from "../../server/internal/bus-endpoint";
import { createLogger } from "../../server/logger";
import { createIngestService } from "../../worker/ingest/ingest-service";

export type HostMessage =
  | { type: "ready"; port: number }
  | { type: "keyCheck"; key: number; at: number }
  | { type: "told"; prompt: string; publicId?: string; at: number }
  | { type: "streams"; streams: { publicId: string; jobPid?: number; state: string; firstPlaylistMs?: number }[] };
export type RunMessage = { type: "streams" } | { type: "stop" };

const send = (message: HostMessage) => process.send?.(message);

const endpoints: Record<string, BusEndpoint> = {};
const route = (envelope: Envelope) => queueMicrotask(() => void endpoints[envelope.target]?.receive(envelope));
const server = createBusEndpoint({ label: "web-api", send: route });
const worker = createBusEndpoint({ label: "worker:bench", send: route });
endpoints[server.label] = server;
endpoints[worker.label] = worker;

server.handle("checkKeyExists", ({ streamKey }) => {
  const match = /^benchkey(\d{1,4})$/.exec(streamKey);
  if (!match) return { exists: false, allowed: false, reason: "unknown-key" as const };
  const n = Number(match[1]);
  send({ type: "keyCheck", key: n, at: Date.now() });
  return { exists: true, allowed: true, channel: `bench${n}`, publicId: `benchpub${String(n).padStart(4, "0")}` };
});
for (const prompt of ["setOnline", "setLurking", "setOffline", "vodReady", "streamStats", "ingestSessions", "vodDeleted"] as const) {
  server.handle(prompt, (data: unknown) => {
    const publicId = (data as { publicId?: string }).publicId;
    send({ type: "told", prompt, publicId, at: Date.now() });
  });
}

const service = createIngestService({ bus: worker, workerId: "bench", log: createLogger("ingest") });
await service.ready;
send({ type: "ready", port: service.rtmpPort() });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await service.stop();
  process.exit(0);
}
process.on("message", (message: RunMessage) => {
  if (message.type === "streams") send({ type: "streams", streams: service.liveStreams() });
  if (message.type === "stop") void stop();
});
process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop());
