// The server's half of streaming, driven over the real /internal bus by a worker-labelled client
// (the ingest's own tests publish real RTMP with ffmpeg).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSecrets } from "../../server/secrets";
import { connectBus, type BusClient } from "../../worker/bus-client";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";

let server: RunningServer;
let worker: BusClient;
let streamer: TestClient;
let streamKey: string;

async function busClient(label: string): Promise<BusClient> {
  const client = connectBus({ serverUrl: server.url, secret: loadSecrets({ dataDir: server.dataDir }).internalSecret, label, reconnection: false });
  await new Promise<void>((resolve) => client.socket.once("connect", () => resolve()));
  return client;
}

const status = async (username: string) => {
  const response = await fetch(`${server.url}/api/external/getStreamStatus?username=${username}`);
  return { http: response.status, body: (await response.json()) as { streamStatus: string; code: number } };
};

beforeAll(async () => {
  // A short reconnect grace: the test of a worker that disappears waits it out (ingest-reconnect.test.ts covers the grace itself).
  server = await startServer({ env: { CANOPY_START_WORKER: "false", INGEST_RECONNECT_GRACE_MS: "500" } });
  worker = await busClient("worker:testworker");
  streamer = new TestClient(server.url);
  await streamer.mutation("account.signUp", { username: "streamer", password: "streamer-password" });
  await streamer.signIn("streamer", "streamer-password");
});
afterAll(async () => {
  worker.socket.close();
  await server.stop();
});

describe("stream keys", () => {
  it("are generated, shown once, rotatable, and never appear in API answers", async () => {
    const before = await streamer.query<{ streamKey: { set: boolean } }>("streams.dashboard");
    expect(before.data?.streamKey.set).toBe(false);
    const first = await streamer.mutation<{ streamKey: string; hint: string }>("streams.rotateKey");
    const second = await streamer.mutation<{ streamKey: string; hint: string }>("streams.rotateKey");
    expect(first.data!.streamKey).toMatch(/^live_/);
    expect(second.data!.streamKey).not.toBe(first.data!.streamKey);
    streamKey = second.data!.streamKey;
    const dashboard = await streamer.query("streams.dashboard");
    expect(JSON.stringify(dashboard.data)).not.toContain(streamKey);
    expect(dashboard.data).toMatchObject({ streamKey: { set: true, hint: streamKey.slice(-4) }, rtmp: { app: "live" } });
    const old = await worker.bus.ask("web-api", "checkKeyExists", { streamKey: first.data!.streamKey, sessionId: "s-old" });
    expect(old).toMatchObject({ exists: false, allowed: false, reason: "unknown-key" });
    expect((await new TestClient(server.url).mutation("streams.rotateKey")).status).toBe(401);
  });
});

describe("ingest conversation", () => {
  it("walks a stream through LURKING, ONLINE and OFFLINE with Open360's codes, stats and a VOD", async () => {
    expect(await status("streamer")).toEqual({ http: 200, body: { streamStatus: "OFFLINE", code: 1 } });
    const accepted = await worker.bus.ask("web-api", "checkKeyExists", { streamKey, sessionId: "s1" });
    expect(accepted).toMatchObject({ exists: true, allowed: true, channel: "streamer" });
    const publicId = accepted.publicId!;
    expect(publicId).toMatch(/^[a-z0-9]{8,32}$/);
    expect(await status("streamer")).toMatchObject({ body: { streamStatus: "LURKING", code: 2 } });

    const second = await worker.bus.ask("web-api", "checkKeyExists", { streamKey, sessionId: "s2" });
    expect(second).toMatchObject({ exists: true, allowed: false, reason: "already-live" });

    const session = { channel: "streamer", publicId, sessionId: "s1" };
    worker.bus.tell("web-api", "setOnline", { ...session, workerId: "testworker", startedAt: Date.now() });
    await waitFor(async () => (await status("streamer")).body.code === 0, 3000);
    // A message from a session that does not hold the channel changes nothing.
    worker.bus.tell("web-api", "setOffline", { ...session, sessionId: "s2", reason: "ended" });
    worker.bus.tell("web-api", "streamStats", { ...session, bitrateKbps: 2500, width: 1280, height: 720, fps: 30, uptimeSeconds: 5 });
    await waitFor(async () => ((await streamer.query<{ samples: unknown[] }>("streams.dashboard")).data?.samples.length ?? 0) > 0, 3000);
    expect((await status("streamer")).body.code).toBe(0);
    const dashboard = await streamer.query<{ stats: { width: number }; samples: Array<{ bitrateKbps: number }> }>("streams.dashboard");
    expect(dashboard.data?.stats.width).toBe(1280);
    expect(dashboard.data?.samples[0]?.bitrateKbps).toBe(2500);

    const live = await new TestClient(server.url).query<Array<{ name: string; playlistUrl: string; live: boolean }>>("streams.live");
    expect(live.data?.map((channel) => channel.name)).toContain("streamer");
    expect(live.data?.[0]?.playlistUrl).toBe(`/live/${publicId}/index.m3u8`);
    expect(JSON.stringify(live.data)).not.toContain(streamKey);

    await streamer.mutation("streams.updateInfo", { title: "Speedrun", description: "Any%", tags: ["retro", "speedrun"], directory: "Games" });
    const stats = await (await fetch(`${server.url}/api/external/getStreamStats?username=streamer`)).json();
    expect(stats).toMatchObject({
      memberCount: 0,
      members: [],
      streamTitle: "Speedrun",
      streamDescription: "Any%",
      streamTags: ["retro", "speedrun"],
      streamDirectory: "Games",
      channelOwner: "streamer",
      channelStatus: { streamStatus: "ONLINE", code: 0 },
    });
    expect((await new TestClient(server.url).query<Array<{ name: string }>>("streams.live", { directory: "Games" })).data?.map((c) => c.name)).toEqual(["streamer"]);
    expect((await new TestClient(server.url).query<unknown[]>("streams.live", { directory: "Music" })).data).toEqual([]);

    worker.bus.tell("web-api", "setLurking", session);
    await waitFor(async () => (await status("streamer")).body.code === 2, 3000);
    worker.bus.tell("web-api", "setOffline", { ...session, reason: "ended" });
    await waitFor(async () => (await status("streamer")).body.code === 1, 3000);

    worker.bus.tell("web-api", "vodReady", { ...session, vodId: "vod-s1-0001", durationSeconds: 42, sizeBytes: 1234, startedAt: Date.now() - 42_000, endedAt: Date.now() });
    await waitFor(async () => ((await streamer.query<unknown[]>("streams.vods", { channel: "streamer" })).data?.length ?? 0) === 1, 3000);
    const vods = await streamer.query<Array<{ id: string; title: string; playlistUrl: string }>>("streams.vods", { channel: "streamer" });
    expect(vods.data?.[0]).toMatchObject({ id: "vod-s1-0001", title: "Speedrun", playlistUrl: "/vod/vod-s1-0001/index.m3u8" });
  });

  it("reconciles after a worker restart and when a worker disappears", async () => {
    const accepted = await worker.bus.ask("web-api", "checkKeyExists", { streamKey, sessionId: "s3" });
    const session = { channel: "streamer", publicId: accepted.publicId!, sessionId: "s3" };
    worker.bus.tell("web-api", "setOnline", { ...session, workerId: "testworker", startedAt: Date.now() });
    await waitFor(async () => (await status("streamer")).body.code === 0, 3000);
    // The worker came back knowing of no live session: the channel must not stay ONLINE.
    worker.bus.tell("web-api", "ingestSessions", { workerId: "testworker", live: [] });
    await waitFor(async () => (await status("streamer")).body.code === 1, 3000);

    const again = await worker.bus.ask("web-api", "checkKeyExists", { streamKey, sessionId: "s4" });
    worker.bus.tell("web-api", "setOnline", { channel: "streamer", publicId: again.publicId!, sessionId: "s4", workerId: "testworker", startedAt: Date.now() });
    await waitFor(async () => (await status("streamer")).body.code === 0, 3000);
    worker.socket.close();
    await waitFor(async () => (await status("streamer")).body.code === 1, 5000);
    worker = await busClient("worker:testworker");
  });

  it("refuses ingest prompts from anything but a worker", async () => {
    const cli = await busClient("cli:intruder");
    await expect(cli.bus.ask("web-api", "checkKeyExists", { streamKey, sessionId: "x" })).rejects.toThrow();
    cli.socket.close();
  });
});

describe("external API and media routes", () => {
  it("answers JSON errors for missing and unknown usernames", async () => {
    const missing = await fetch(`${server.url}/api/external/getStreamStatus`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
    const unknown = await status("nobody_at_all");
    expect(unknown).toMatchObject({ http: 404, body: { streamStatus: "UNKNOWN", code: 3 } });
    expect((await fetch(`${server.url}/api/external/getStreamStats?username=nobody_at_all`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/external/getStreamStats`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/external/getStreamStatus?username=${"x".repeat(500)}`)).status).toBe(400);
  });

  it("serves nothing outside the media folder", async () => {
    for (const url of ["/live/..%2F..%2Fsecrets/index.m3u8", "/live/abcdefgh/..%2F..%2Fsecrets.json", "/live/ABC/index.m3u8", "/vod/x/index.m3u8", "/live/abcdefghij/index.m3u8"]) {
      const response = await fetch(server.url + url);
      expect(response.status).toBe(404);
    }
  });
});
