// Channels stay live across a bus drop: a worker whose connection to the server breaks (here a
// TCP proxy between them cuts it) still has its RTMP publishers, so their streams stay ONLINE;
// reconnecting, the worker reports its live sessions and the server reconciles. A worker that
// does not come back within INGEST_RECONNECT_GRACE_MS took its streams with it: OFFLINE.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSecrets } from "../../server/secrets";
import { freePort } from "../helpers/free-port";
import { TestClient } from "../helpers/http-client";
import { killAll, publish, type Publisher } from "../helpers/ingest";
import { startServer, waitFor, waitForService, type RunningServer } from "../helpers/server";
import { startStandaloneWorker, type StandaloneWorker } from "../helpers/standalone-worker";

const graceMs = 4000;
let server: RunningServer;
let worker: StandaloneWorker;
let proxy: ReturnType<typeof tcpProxy>;
let rtmpPort: number;
const publishers: Publisher[] = [];

/** Forwards connections to `port`; `cut()` breaks every open one, `refuse` turns new ones away. */
function tcpProxy(port: number) {
  const open = new Set<net.Socket>();
  const state = { refuse: false };
  const listener = net.createServer((client) => {
    if (state.refuse) return client.destroy();
    const upstream = net.connect(port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  return {
    state,
    listen: () => new Promise<number>((resolve) => listener.listen(0, "127.0.0.1", () => resolve((listener.address() as net.AddressInfo).port))),
    cut: () => {
      for (const socket of open) socket.destroy();
    },
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}

const streamStatus = async (username: string) =>
  ((await (await fetch(`${server.url}/api/external/getStreamStatus?username=${username}`)).json()) as { streamStatus: string }).streamStatus;
const connections = () => server.logs.join("").split('"internal client connected","label":"worker:bw"').length - 1;

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_START_WORKER: "false", INGEST_RECONNECT_GRACE_MS: String(graceMs) } });
  proxy = tcpProxy(server.port);
  const proxyPort = await proxy.listen();
  rtmpPort = await freePort();
  worker = await startStandaloneWorker({
    workerId: "bw",
    serverUrl: `http://127.0.0.1:${proxyPort}`,
    internalSecret: loadSecrets({ dataDir: server.dataDir }).internalSecret,
    env: { RTMP_PORT: String(rtmpPort), RTMP_HOST: "127.0.0.1", RENDER_ENABLED: "false" },
  });
  await waitForService(server, "ingest", 60_000);
}, 120_000);

afterAll(async () => {
  await killAll(publishers);
  await worker?.kill();
  await proxy?.close();
  await server?.stop();
});

describe("a worker's bus drop", () => {
  it("leaves a published channel ONLINE across the reconnect, and OFFLINE once the worker stays away past the grace", async () => {
    const streamer = new TestClient(server.url);
    await streamer.mutation("account.signUp", { username: "dropcaster", password: "dropcaster-password" });
    await streamer.signIn("dropcaster", "dropcaster-password");
    const key = (await streamer.mutation<{ streamKey: string }>("streams.rotateKey")).data!.streamKey;
    const publisher = publish(rtmpPort, key);
    publishers.push(publisher);
    await waitFor(async () => (await streamStatus("dropcaster")) === "ONLINE", 30_000, 200);

    // The connection breaks; the worker reconnects at once and reports its publisher.
    const before = connections();
    const cutAt = Date.now();
    proxy.cut();
    await waitFor(() => connections() > before, graceMs * 3, 50);
    // Past the grace, the channel has been ONLINE all along.
    const seen = new Set<string>();
    while (Date.now() < cutAt + graceMs + 2000) {
      seen.add(await streamStatus("dropcaster"));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect([...seen]).toEqual(["ONLINE"]);
    expect(publisher.child.exitCode).toBeNull();

    // Now it cannot come back: after the grace its channel is OFFLINE though ffmpeg still publishes.
    proxy.state.refuse = true;
    proxy.cut();
    expect(await streamStatus("dropcaster")).toBe("ONLINE");
    await waitFor(async () => (await streamStatus("dropcaster")) === "OFFLINE", graceMs + 15_000, 200);
    expect(publisher.child.exitCode).toBeNull();
  });
});
