// Streaming end to end through the real server and its supervised worker: a real ffmpeg publishes
// RTMP, the server decides on the key, HLS is served under the public id, a recording remains.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { startServer, waitFor, waitForService, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";
import { ffprobeStreams, killAll, publish, type Publisher } from "../helpers/ingest";

let server: RunningServer;
let rtmpPort: number;
const publishers: Publisher[] = [];


const streamStatus = async (username: string) =>
  ((await (await fetch(`${server.url}/api/external/getStreamStatus?username=${username}`)).json()) as { streamStatus: string; code: number }).streamStatus;

beforeAll(async () => {
  rtmpPort = await freePort();
  server = await startServer({ env: { RTMP_PORT: String(rtmpPort), RTMP_HOST: "127.0.0.1" } });
  await waitForService(server, "ingest", 60_000);
});
afterAll(async () => {
  await killAll(publishers);
  await server.stop();
});

describe("RTMP in, HLS out", () => {
  it("refuses a wrong key, serves a playable playlist for the right one, goes OFFLINE at the end and keeps a recording — without the key in any URL or answer", async () => {
    const streamer = new TestClient(server.url);
    await streamer.mutation("account.signUp", { username: "caster", password: "caster-password" });
    await streamer.signIn("caster", "caster-password");
    const key = (await streamer.mutation<{ streamKey: string }>("streams.rotateKey")).data!.streamKey;

    const intruder = publish(rtmpPort, "live_not_a_real_key");
    publishers.push(intruder);
    const refused = await intruder.exited;
    expect(refused.at - intruder.startedAt).toBeLessThan(10_000);
    expect(await streamStatus("caster")).toBe("OFFLINE");

    const publisher = publish(rtmpPort, key);
    publishers.push(publisher);
    await waitFor(async () => (await streamStatus("caster")) === "ONLINE", 20_000, 200);

    const channel = await new TestClient(server.url).query<{ playlistUrl: string; live: boolean }>("streams.channel", { name: "caster" });
    expect(channel.data?.live).toBe(true);
    const playlistUrl = server.url + channel.data!.playlistUrl;
    const playlist = await (await fetch(playlistUrl)).text();
    expect(playlist).toContain("#EXTM3U");
    const streams = await ffprobeStreams(playlistUrl);
    expect(streams.map((stream) => stream.codec_type).sort()).toEqual(["audio", "video"]);

    // A second publisher on the live channel is refused.
    const second = publish(rtmpPort, key);
    publishers.push(second);
    await second.exited;
    expect(await streamStatus("caster")).toBe("ONLINE");

    const answers = [
      playlist,
      JSON.stringify((await streamer.query("streams.dashboard")).data),
      JSON.stringify((await streamer.query("streams.live")).data),
      await (await fetch(`${server.url}/api/external/getStreamStats?username=caster`)).text(),
      await (await fetch(`${server.url}/`)).text(),
    ];
    for (const answer of answers) expect(answer).not.toContain(key);

    publisher.child.kill("SIGINT");
    await publisher.exited;
    await waitFor(async () => (await streamStatus("caster")) === "OFFLINE", 15_000, 200);
    await waitFor(async () => ((await streamer.query<unknown[]>("streams.vods", { channel: "caster" })).data?.length ?? 0) === 1, 15_000, 200);
    const [vod] = (await streamer.query<Array<{ playlistUrl: string; durationSeconds: number }>>("streams.vods", { channel: "caster" })).data!;
    const vodPlaylist = await (await fetch(server.url + vod!.playlistUrl)).text();
    expect(vodPlaylist).toContain("#EXT-X-ENDLIST");
    expect(vod!.durationSeconds).toBeGreaterThan(0);
    expect(server.logs.join("")).not.toContain(key);
  });
});
