// Two server nodes on one machine sharing PostgreSQL and Redis (REDIS_URL), as in scale-out:
// chat, presence and rate limits span the nodes, worker heartbeats reach every node, and a
// client whose node dies moves to the other one (through the sticky balancer) and misses nothing.
import crypto from "node:crypto";
import type net from "node:net";
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { io, type Socket } from "socket.io-client";
import { createStickyBalancer, nodeCookie } from "../../server/cluster/load-balancer";
import { redisUrl, startTwoNodes, unreachableClusterServices, type TwoNodes } from "../helpers/cluster-services";
import { waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";

type Message = { id: number; username: string; channel?: string; target: string; text: string };
type Ack<T> = { data: T } | { error: { code: string; message: string; retryAfterMs?: number } };

const missing = await unreachableClusterServices();
if (missing.length) console.warn(`cluster tests skipped: ${missing.join(" and ")} not reachable`);

const internalSecret = crypto.randomBytes(32).toString("hex");
const sockets: Socket[] = [];
let cluster: TwoNodes;
let nodeA: RunningServer;
let nodeB: RunningServer;
let balancer: http.Server;
let balancerUrl: string;

async function member(node: RunningServer, username: string): Promise<TestClient> {
  const client = new TestClient(node.url);
  await client.mutation("account.signUp", { username, password: `${username}-password` });
  expect(await client.signIn(username, `${username}-password`)).toBe(true);
  return client;
}

async function connect(url: string, options: { client?: TestClient; cookie?: string } = {}): Promise<Socket> {
  const cookie = [options.client?.cookieHeader(), options.cookie].filter(Boolean).join("; ");
  const socket = io(`${url}/chat`, { transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500, extraHeaders: cookie ? { cookie } : undefined });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

const emit = <T>(socket: Socket, event: string, payload: unknown) => socket.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;

function collect(socket: Socket): Message[] {
  const seen: Message[] = [];
  socket.on("message", (message: Message) => seen.push(message));
  return seen;
}

describe.skipIf(missing.length > 0)("two server nodes on PostgreSQL and Redis", () => {
  beforeAll(async () => {
    cluster = await startTwoNodes({ name: "cluster", internalSecret, env: { CHAT_RATE_LIMIT_MESSAGES: "6", CHAT_RATE_LIMIT_WINDOW_SECONDS: "60" } });
    [nodeA, nodeB] = cluster.nodes;
    balancer = createStickyBalancer({ nodes: [nodeA, nodeB].map((node) => ({ host: "127.0.0.1", port: node.port })) });
    await new Promise<void>((resolve) => balancer.listen(0, "127.0.0.1", resolve));
    balancerUrl = `http://127.0.0.1:${(balancer.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await new Promise((resolve) => balancer?.close(resolve));
    await cluster?.stop();
  });

  it("a chat message sent on node A reaches clients on node B, and presence counts both nodes", async () => {
    const alice = await member(nodeA, "alice");
    const bob = await member(nodeB, "bob");
    const onA = await connect(nodeA.url, { client: alice });
    const onB = await connect(nodeB.url, { client: bob });
    expect(await emit(onA, "join", { channel: "alice" })).toMatchObject({ data: { participants: ["alice"], viewers: 1 } });
    const bobJoined = await emit<{ participants: string[]; viewers: number }>(onB, "join", { channel: "alice" });
    expect(bobJoined).toEqual({ data: { channel: "alice", participants: ["alice", "bob"], viewers: 2 } });

    const seenOnB = collect(onB);
    const sent = await emit<Message>(onA, "message", { type: "channel", target: "alice", text: "hello from node A" });
    expect("data" in sent).toBe(true);
    await waitFor(() => seenOnB.some((message) => message.text === "hello from node A"), 10_000);

    const stats = await (await fetch(`${nodeB.url}/api/external/getStreamStats?username=alice`)).json();
    expect(stats).toMatchObject({ memberCount: 2, members: ["alice", "bob"] });
  });

  it("rate limits count a user's messages on every node", async () => {
    const carol = await member(nodeA, "carol");
    const onA = await connect(nodeA.url, { client: carol });
    const onB = await connect(nodeB.url, { client: carol });
    await emit(onA, "join", { channel: "carol" });
    await emit(onB, "join", { channel: "carol" });
    for (const [index, socket] of [onA, onB, onA, onB, onA, onB].entries()) {
      expect(await emit(socket, "message", { type: "channel", target: "carol", text: `burst ${index}` })).toHaveProperty("data");
    }
    const refused = await emit(onB, "message", { type: "channel", target: "carol", text: "one too many" });
    expect(refused).toMatchObject({ error: { code: "TOO_MANY_REQUESTS" } });
  });

  it("bad input is still answered with an error on a clustered node", async () => {
    const socket = await connect(nodeB.url);
    expect(await emit(socket, "join", { channel: 42 })).toMatchObject({ error: { code: "BAD_REQUEST" } });
    expect(await emit(socket, "message", "not an object")).toMatchObject({ error: { code: "BAD_REQUEST" } });
    const response = await fetch(`${nodeA.url}/api/external/getStreamStats`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it("worker heartbeats sent to node B make the worker's services alive on node A", async () => {
    const statusOnA = async () => ((await (await fetch(`${nodeA.url}/api/external/`)).json()) as { status: Record<string, string> }).status;
    expect((await statusOnA()).render).toBe("dead");
    const worker = io(`${nodeB.url}/internal`, { transports: ["websocket"], forceNew: true, auth: { secret: internalSecret, label: "worker:probe" } });
    sockets.push(worker);
    const heartbeat = { workerId: "probe", pid: 1, state: "ok", services: { render: "alive" }, rssBytes: 1, startedAt: Date.now() };
    worker.emit("api-message", { target: "web-api", ack: "worker:probe", type: "message", package: { prompt: "heartbeat", data: heartbeat } });
    await waitFor(async () => (await statusOnA()).render === "alive", 10_000);
    worker.close();
    await waitFor(async () => (await statusOnA()).render === "dead", 10_000);
  });

  it("a question node A asks a worker connected to node B gets its reply back on node A", async () => {
    const worker = io(`${nodeB.url}/internal`, { transports: ["websocket"], forceNew: true, auth: { secret: internalSecret, label: "worker:renderer" } });
    sockets.push(worker);
    const askedBy: string[] = [];
    worker.on("worker:renderer", (envelope: { id: string; ack: string; type: string; package: { prompt: string; data: { sessionId: string; ownerId: string } } }) => {
      if (envelope.package.prompt !== "renderCreate") return;
      askedBy.push(envelope.ack);
      const { sessionId, ownerId } = envelope.package.data;
      const summary = { sessionId, ownerId, createdAt: Date.now(), lastActivity: Date.now(), width: 1280, height: 720, quality: 75, fps: 20, pageInfo: { url: "about:blank", title: "" } };
      worker.emit("api-message", { id: envelope.id, target: envelope.ack, ack: "worker:renderer", type: "message", package: { prompt: "renderCreate-reply", data: summary, message: "Ok" } });
    });
    const heartbeat = { workerId: "renderer", pid: 2, state: "ok", services: { render: "alive" }, rssBytes: 1, startedAt: Date.now() };
    const beat = () => worker.emit("api-message", { target: "web-api", ack: "worker:renderer", type: "message", package: { prompt: "heartbeat", data: heartbeat } });
    beat();
    const beating = setInterval(beat, 500);
    try {
      const george = await member(nodeA, "george");
      await waitFor(async () => ((await (await fetch(`${nodeA.url}/api/external/`)).json()) as { status: Record<string, string> }).status.render === "alive", 10_000);
      const created = await george.fetch("/render/api/session/create", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(created.status).toBe(201);
      expect(askedBy).toEqual(["web-api:node-a"]);
    } finally {
      clearInterval(beating);
      worker.close();
    }
  });

  it("connection-state recovery works across nodes: a client that drops on node A recovers on node B with the messages it missed", async () => {
    const frank = await member(nodeB, "frank");
    const viewer = await connect(balancerUrl, { cookie: `${nodeCookie}=0` });
    await emit(viewer, "join", { channel: "frank" });
    const received = collect(viewer);
    const sender = await connect(nodeB.url, { client: frank });
    await emit(sender, "join", { channel: "frank" });

    viewer.io.reconnection(false);
    viewer.io.engine.close();
    await waitFor(() => viewer.disconnected, 10_000);
    // Node A saves the session in Redis once it notices the drop; only then can another node restore it.
    const redis = createClient({ url: redisUrl.toString() });
    await redis.connect();
    try {
      await waitFor(async () => (await redis.keys(`${cluster.redisKeyPrefix}:sio:session:*`)).length > 0, 10_000);
    } finally {
      await redis.close();
    }
    const sent = await emit<Message>(sender, "message", { type: "channel", target: "frank", text: "while you were away" });
    if (!("data" in sent)) throw new Error(sent.error.message);

    // The balancer now sends this client to node B, which restores the session node A saved in Redis.
    viewer.io.opts.extraHeaders = { cookie: `${nodeCookie}=1` };
    const reconnected = new Promise<void>((resolve) => viewer.once("connect", () => resolve()));
    viewer.connect();
    await reconnected;
    expect(viewer.recovered).toBe(true);
    await waitFor(() => received.some((message) => message.id === sent.data.id), 10_000);
  });

  it("a client whose node is killed reconnects through the balancer to the other node and catches up on every message", async () => {
    const dave = await member(nodeB, "dave");
    const erin = await member(nodeB, "erin");
    // Pinned to node A by the balancer's cookie.
    const viewer = await connect(balancerUrl, { client: erin, cookie: `${nodeCookie}=0` });
    await emit(viewer, "join", { channel: "dave" });
    const received = collect(viewer);
    const sender = await connect(nodeB.url, { client: dave });
    await emit(sender, "join", { channel: "dave" });
    const first = await emit<Message>(sender, "message", { type: "channel", target: "dave", text: "before the crash" });
    if (!("data" in first)) throw new Error(first.error.message);
    await waitFor(() => received.some((message) => message.id === first.data.id), 10_000);

    // Events, not polled state: the client may be connected again before a poll would see it gone.
    const dropped = new Promise<void>((resolve) => viewer.once("disconnect", () => resolve()));
    const reconnected = new Promise<void>((resolve) => viewer.once("connect", () => resolve()));
    nodeA.process.kill("SIGKILL");
    await dropped;
    const sentMeanwhile: number[] = [];
    for (let index = 0; index < 3; index++) {
      const sent = await emit<Message>(sender, "message", { type: "channel", target: "dave", text: `while node A is down ${index}` });
      if ("data" in sent) sentMeanwhile.push(sent.data.id);
    }
    expect(sentMeanwhile).toHaveLength(3);
    await reconnected;

    // Node A died without saving the session, so the client does what the web client does:
    // join again and read the history after the last message it saw.
    await emit(viewer, "join", { channel: "dave" });
    const lastSeen = Math.max(...received.map((message) => message.id));
    const history = await new TestClient(balancerUrl).query<Message[]>("chat.history", { channel: "dave", afterId: lastSeen, limit: 100 });
    expect(history.status).toBe(200);
    const caughtUp = new Set([...received.map((message) => message.id), ...(history.data ?? []).map((message) => message.id)]);
    for (const id of sentMeanwhile) expect(caughtUp.has(id)).toBe(true);

    const after = await emit<Message>(sender, "message", { type: "channel", target: "dave", text: "after the move" });
    if (!("data" in after)) throw new Error(after.error.message);
    await waitFor(() => received.some((message) => message.id === after.data.id), 10_000);
  });
});
