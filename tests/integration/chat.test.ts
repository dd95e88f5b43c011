import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { loadSecrets } from "../../server/secrets";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";

type Message = { id: number; username: string; displayName: string; color: string; type: string; target: string; text: string; datetime: number };
type AckResponse<T> = { data: T } | { error: { code: string; message: string } };

let server: RunningServer;
const sockets: Socket[] = [];

async function member(username: string, password = `${username}-password`): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.mutation("account.signUp", { username, password });
  expect(await client.signIn(username, password)).toBe(true);
  return client;
}

async function connect(client?: TestClient): Promise<Socket> {
  const socket = io(`${server.url}/chat`, {
    transports: ["websocket"],
    forceNew: true,
    extraHeaders: client ? { cookie: client.cookieHeader() } : undefined,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

function emit<T>(socket: Socket, event: string, payload: unknown): Promise<AckResponse<T>> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<AckResponse<T>>;
}

function next<T>(socket: Socket, event: string, predicate: (payload: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} event`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

function collect<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_START_WORKER: "false", CHAT_RATE_LIMIT_MESSAGES: "5", CHAT_RATE_LIMIT_WINDOW_SECONDS: "5" } });
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.stop();
});

describe("Ting protocol", () => {
  it("join announces the user to the room, sends participants to the joiner, and messages reach everyone", async () => {
    const alice = await member("alice");
    const bob = await member("bob");
    const a = await connect(alice);
    const b = await connect(bob);

    const aliceJoin = next<{ username: string; channel: string }>(a, "join");
    const aliceChannel = next<{ channel: string; participants: string[] }>(a, "channel");
    a.emit("join", { channel: "alice" });
    expect(await aliceJoin).toEqual({ username: "alice", channel: "alice" });
    expect(await aliceChannel).toMatchObject({ channel: "alice", participants: ["alice"] });

    const seenByAlice = next<{ username: string; channel: string }>(a, "join", (payload) => payload.username === "bob");
    const bobChannel = next<{ participants: string[] }>(b, "channel");
    b.emit("join", { channel: "alice" });
    expect(await seenByAlice).toEqual({ username: "bob", channel: "alice" });
    expect((await bobChannel).participants).toEqual(["alice", "bob"]);

    const received = next<Message>(a, "message");
    // Ting clients emit without an ack; the message still arrives.
    b.emit("message", { type: "channel", target: "alice", text: "hello @alice" });
    const message = await received;
    expect(message).toMatchObject({ username: "bob", displayName: "bob", type: "channel", target: "alice", text: "hello @alice" });
    expect(message.id).toBeGreaterThan(0);
    expect(message.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(Math.abs(message.datetime - Date.now())).toBeLessThan(60_000);

    const parted = next<{ username: string; channel: string }>(a, "part", (payload) => payload.username === "bob");
    const ownPart = next<{ username: string; channel: string }>(b, "part");
    expect(await emit(b, "part", { channel: "alice" })).toEqual({ data: { channel: "alice" } });
    expect(await parted).toEqual({ username: "bob", channel: "alice" });
    expect(await ownPart).toEqual({ username: "bob", channel: "alice" });

    // A dropped connection parts every channel it was in.
    await emit(b, "join", { channel: "alice" });
    const dropped = next<{ username: string }>(a, "part", (payload) => payload.username === "bob");
    b.disconnect();
    expect((await dropped).username).toBe("bob");
  });

  it("signed-in users keep their account name whatever they log in as; guests read but cannot write", async () => {
    const carol = await member("carol");
    const c = await connect(carol);
    expect(await emit(c, "login", { username: "someone_else" })).toEqual({ data: { username: "carol", guest: false } });

    const guest = await connect();
    expect(await emit(guest, "login", { username: "visitor" })).toEqual({ data: { username: "guest_visitor", guest: true } });
    await emit(guest, "join", { channel: "carol" });
    await emit(c, "join", { channel: "carol" });
    const guestSees = next<Message>(guest, "message");
    await emit(c, "message", { type: "channel", target: "carol", text: "guests can read" });
    expect((await guestSees).text).toBe("guests can read");

    const error = next<{ code: string; message: string }>(guest, "error");
    const refused = await emit(guest, "message", { type: "channel", target: "carol", text: "can I write?" });
    expect(refused).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    expect((await error).message).toMatch(/sign in/i);

    const history = (await (await fetch(`${server.url}/api/messages/carol`)).json()) as Message[];
    expect(history.map((message) => message.text)).not.toContain("can I write?");
  });

  it("an invalid login name gets an error and the connection is closed, as Ting does", async () => {
    const guest = await connect();
    const error = next<{ code: string }>(guest, "error");
    const closed = next<string>(guest, "disconnect");
    guest.emit("login", { username: "no spaces allowed!" });
    expect((await error).code).toBe("BAD_REQUEST");
    expect(await closed).toBe("io server disconnect");
  });
});

describe("direct messages", () => {
  it("reach every connection of the recipient and the sender, are stored, and are visible only to the two", async () => {
    const dana = await member("dana");
    const erin = await member("erin");
    const frank = await member("frank");
    const d = await connect(dana);
    const e1 = await connect(erin);
    const e2 = await connect(erin);
    const f = await connect(frank);
    const franksMessages = collect<Message>(f, "message");
    const atE1 = next<Message>(e1, "message");
    const atE2 = next<Message>(e2, "message");
    const result = await emit<Message>(d, "message", { type: "user", target: "erin", text: "psst" });
    expect(result).toMatchObject({ data: { type: "user", target: "erin", username: "dana", text: "psst" } });
    expect((await atE1).text).toBe("psst");
    expect((await atE2).text).toBe("psst");

    expect((await erin.query<Message[]>("chat.directHistory", { with: "dana" })).data?.map((m) => m.text)).toEqual(["psst"]);
    expect((await dana.query<Message[]>("chat.directHistory", { with: "erin" })).data?.map((m) => m.text)).toEqual(["psst"]);
    expect((await frank.query<Message[]>("chat.directHistory", { with: "erin" })).data).toEqual([]);
    expect((await new TestClient(server.url).query("chat.directHistory", { with: "erin" })).status).toBe(401);
    await sleep(200);
    expect(franksMessages).toEqual([]);

    expect(await emit(d, "message", { type: "user", target: "nobody_here", text: "hi" })).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect(await emit(d, "message", { type: "user", target: "dana", text: "me" })).toMatchObject({ error: { code: "BAD_REQUEST" } });
  });
});

describe("history and channels (Ting REST)", () => {
  it("serves history newest first with lim, refuses bad lim, and 404s unknown channels", async () => {
    const gina = await member("gina");
    const g = await connect(gina);
    await emit(g, "join", { channel: "gina" });
    for (const text of ["one", "two", "three"]) expect(await emit(g, "message", { type: "channel", target: "gina", text })).toHaveProperty("data");

    const all = (await (await fetch(`${server.url}/api/messages/gina`)).json()) as Message[];
    expect(all.map((message) => message.text)).toEqual(["three", "two", "one"]);
    expect(all[0]).toMatchObject({ username: "gina" });
    expect(typeof all[0]!.datetime).toBe("number");
    const two = (await (await fetch(`${server.url}/api/messages/gina?lim=2`)).json()) as Message[];
    expect(two.map((message) => message.text)).toEqual(["three", "two"]);
    for (const lim of ["0", "-1", "abc", "100000"]) expect((await fetch(`${server.url}/api/messages/gina?lim=${lim}`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/messages/no_such_channel`)).status).toBe(404);

    expect(await (await fetch(`${server.url}/api/channels/gina`)).json()).toEqual({ name: "gina" });
    expect((await fetch(`${server.url}/api/channels/nope_nope`)).status).toBe(404);

    const page = await gina.query<Message[]>("chat.history", { channel: "gina", limit: 2 });
    expect(page.data?.map((message) => message.text)).toEqual(["three", "two"]);
    const older = await gina.query<Message[]>("chat.history", { channel: "gina", limit: 2, beforeId: page.data![1]!.id });
    expect(older.data?.map((message) => message.text)).toEqual(["one"]);
  });

  it("creates channels with the shared secret or as staff and persists privileged posts", async () => {
    const secret = loadSecrets({ dataDir: server.dataDir }).internalSecret;
    const denied = await fetch(`${server.url}/api/channels`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "lobby" }) });
    expect(denied.status).toBe(401);
    const created = await fetch(`${server.url}/api/channels`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ name: "Lobby" }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ name: "lobby" });
    const again = await fetch(`${server.url}/api/channels`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ name: "lobby" }),
    });
    expect(again.status).toBe(409);

    const listener = await connect();
    await emit(listener, "join", { channel: "lobby" });
    const live = next<Message>(listener, "message");
    const posted = await fetch(`${server.url}/api/messages/lobby`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ text: "from the REST service", username: "bridge", datetime: 1_700_000_000_000 }),
    });
    expect(posted.status).toBe(201);
    expect(await live).toMatchObject({ text: "from the REST service", username: "bridge", datetime: 1_700_000_000_000 });
    const unprivileged = await fetch(`${server.url}/api/messages/lobby`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "x", username: "y" }) });
    expect(unprivileged.status).toBe(401);
    const malformed = await fetch(`${server.url}/api/messages/lobby`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${secret}` }, body: "{nope" });
    expect(malformed.status).toBe(400);
  });
});

describe("abuse limits", () => {
  it("rate-limits each user (5 per 5 s) with an error event, and refuses over-long messages", async () => {
    const hank = await member("hank");
    const h = await connect(hank);
    await emit(h, "join", { channel: "hank" });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await emit<Message>(h, "message", { type: "channel", target: "hank", text: `m${i}` }));
    expect(results.slice(0, 5).every((result) => "data" in result)).toBe(true);
    expect(results[5]).toMatchObject({ error: { code: "TOO_MANY_REQUESTS" } });
    expect((results[5] as unknown as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThan(0);

    const ivy = await member("ivy");
    const i = await connect(ivy);
    await emit(i, "join", { channel: "ivy" });
    expect(await emit(i, "message", { type: "channel", target: "ivy", text: "x".repeat(501) })).toMatchObject({ error: { code: "BAD_REQUEST", message: expect.stringMatching(/500/) } });
    expect(await emit(i, "message", { type: "channel", target: "ivy", text: "x".repeat(500) })).toHaveProperty("data");
  });
});

describe("moderation", () => {
  it("lets the owner delete messages live, time out and ban users, set slow mode and disable chat", async () => {
    const owner = await member("olivia");
    const viewer = await member("victor");
    const o = await connect(owner);
    const v = await connect(viewer);
    await emit(o, "join", { channel: "olivia" });
    await emit(v, "join", { channel: "olivia" });

    const sent = await emit<Message>(v, "message", { type: "channel", target: "olivia", text: "rude words" });
    const id = (sent as { data: Message }).data.id;
    expect((await viewer.mutation("chat.deleteMessage", { id })).status).toBe(403);
    const deletedLive = next<{ id: number; channel: string }>(v, "delete");
    expect((await owner.mutation("chat.deleteMessage", { id })).status).toBe(200);
    expect(await deletedLive).toEqual({ id, channel: "olivia" });
    const history = (await (await fetch(`${server.url}/api/messages/olivia`)).json()) as Message[];
    expect(history.map((message) => message.id)).not.toContain(id);

    expect((await owner.mutation("chat.restrict", { channel: "olivia", username: "victor", durationSeconds: 60 })).status).toBe(200);
    expect(await emit(v, "message", { type: "channel", target: "olivia", text: "am I timed out?" })).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringMatching(/timed out/) } });
    expect((await owner.mutation("chat.liftRestriction", { channel: "olivia", username: "victor" })).status).toBe(200);
    expect(await emit(v, "message", { type: "channel", target: "olivia", text: "back" })).toHaveProperty("data");
    expect((await owner.mutation("chat.restrict", { channel: "olivia", username: "victor" })).status).toBe(200);
    expect(await emit(v, "message", { type: "channel", target: "olivia", text: "banned?" })).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringMatching(/banned/) } });
    expect((await viewer.mutation("chat.restrict", { channel: "olivia", username: "olivia" })).status).toBe(403);
    await owner.mutation("chat.liftRestriction", { channel: "olivia", username: "victor" });

    const settingsLive = next<{ slowModeSeconds: number }>(v, "settings");
    expect((await owner.mutation("chat.updateSettings", { channel: "olivia", slowModeSeconds: 30 })).status).toBe(200);
    expect((await settingsLive).slowModeSeconds).toBe(30);
    expect(await emit(v, "message", { type: "channel", target: "olivia", text: "slow one" })).toHaveProperty("data");
    expect(await emit(v, "message", { type: "channel", target: "olivia", text: "slow two" })).toMatchObject({ error: { code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/slow mode/i) } });
    // The owner is exempt from slow mode.
    expect(await emit(o, "message", { type: "channel", target: "olivia", text: "owner 1" })).toHaveProperty("data");
    expect(await emit(o, "message", { type: "channel", target: "olivia", text: "owner 2" })).toHaveProperty("data");

    await owner.mutation("chat.updateSettings", { channel: "olivia", slowModeSeconds: 0, chatDisabled: true });
    expect(await emit(v, "message", { type: "channel", target: "olivia", text: "disabled?" })).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringMatching(/disabled/) } });
    expect((await viewer.mutation("chat.updateSettings", { channel: "olivia", chatDisabled: false })).status).toBe(403);
  });
});

describe("bad payloads", () => {
  it("answers each with an error event and keeps serving", async () => {
    const jack = await member("jack");
    const j = await connect(jack);
    const errors = collect<{ code: string; event: string }>(j, "error");
    const bad: Array<[string, unknown]> = [
      ["join", undefined],
      ["join", {}],
      ["join", { channel: 42 }],
      ["join", "jack"],
      ["join", [1, 2]],
      ["join", { channel: "no_such_channel_x" }],
      ["part", { channel: "jack" }],
      ["message", null],
      ["message", { type: "channel", target: "jack" }],
      ["message", { type: "shout", target: "jack", text: "x" }],
      ["message", { type: "channel", target: "jack", text: "x".repeat(1_000_000) }],
      ["message", { type: "channel", target: "jack", text: "not joined yet" }],
      ["message", { type: "channel", target: "no_such_channel_x", text: "x" }],
      ["login", 12],
    ];
    for (const [event, payload] of bad) j.emit(event, payload);
    await waitFor(() => errors.length >= bad.length, 5000);
    // Handlers run concurrently, so errors may come back in another order.
    expect(errors.map((error) => error.event).sort()).toEqual(bad.map(([event]) => event).sort());
    expect(errors.every((error) => ["BAD_REQUEST", "NOT_FOUND"].includes(error.code))).toBe(true);
    expect(j.connected).toBe(true);
    expect(await emit(j, "join", { channel: "jack" })).toHaveProperty("data");
    expect(await emit(j, "message", { type: "channel", target: "jack", text: "still fine" })).toHaveProperty("data");
    const history = (await (await fetch(`${server.url}/api/messages/jack`)).json()) as Message[];
    expect(history.map((message) => message.text)).toEqual(["still fine"]);
  });
});

describe("no loss on reconnect", () => {
  it("recovers a short gap through connection-state recovery without holes or duplicates", async () => {
    const kim = await member("kim");
    const leo = await member("leo");
    const k = await connect(kim);
    const l = await connect(leo);
    await emit(k, "join", { channel: "kim" });
    await emit(l, "join", { channel: "kim" });
    const received = collect<Message>(l, "message");
    await emit(k, "message", { type: "channel", target: "kim", text: "before" });
    await waitFor(() => received.length === 1, 3000);

    // Drop the transport without a clean disconnect, so the client reconnects with its session id.
    (l.io.engine as unknown as { close(): void }).close();
    await waitFor(() => !l.connected, 3000);
    for (const text of ["gap 1", "gap 2"]) await emit(k, "message", { type: "channel", target: "kim", text });
    await waitFor(() => l.connected, 10_000);
    expect(l.recovered).toBe(true);
    await emit(k, "message", { type: "channel", target: "kim", text: "after" });
    await waitFor(() => received.length === 4, 5000);
    expect(received.map((message) => message.text)).toEqual(["before", "gap 1", "gap 2", "after"]);
  });

  it("after a longer gap the client catches up from its last seen id", async () => {
    const mia = await member("mia");
    const ned = await member("ned");
    const m = await connect(mia);
    await emit(m, "join", { channel: "mia" });
    let n = await connect(ned);
    await emit(n, "join", { channel: "mia" });
    const seen = collect<Message>(n, "message");
    await emit(m, "message", { type: "channel", target: "mia", text: "first" });
    await waitFor(() => seen.length === 1, 3000);
    const lastSeenId = seen[0]!.id;
    n.disconnect();
    for (const text of ["missed 1", "missed 2", "missed 3"]) await emit(m, "message", { type: "channel", target: "mia", text });

    n = await connect(ned);
    const live = collect<Message>(n, "message");
    await emit(n, "join", { channel: "mia" });
    await emit(m, "message", { type: "channel", target: "mia", text: "live again" });
    const caughtUp = await ned.query<Message[]>("chat.history", { channel: "mia", afterId: lastSeenId, limit: 100 });
    await waitFor(() => live.length === 1, 3000);
    // The client merges by id: what it fetched plus what arrived live, each once.
    const merged = new Map<number, Message>();
    for (const message of [...seen, ...(caughtUp.data ?? []).slice().reverse(), ...live]) merged.set(message.id, message);
    expect([...merged.values()].sort((a, b) => a.id - b.id).map((message) => message.text)).toEqual(["first", "missed 1", "missed 2", "missed 3", "live again"]);
    expect(caughtUp.data?.map((message) => message.text)).toEqual(["live again", "missed 3", "missed 2", "missed 1"]);
  });
});

describe("persistence", () => {
  it("keeps history across a server restart", async () => {
    const olga = await member("olga");
    const o = await connect(olga);
    await emit(o, "join", { channel: "olga" });
    await emit(o, "message", { type: "channel", target: "olga", text: "survives restarts" });
    o.close();
    const dataDir = server.dataDir;
    const databaseUrl = server.databaseUrl;
    await server.stop("SIGTERM", { keepDatabase: true });
    server = await startServer({ dataDir, databaseUrl, env: { CANOPY_START_WORKER: "false" } });
    const history = (await (await fetch(`${server.url}/api/messages/olga`)).json()) as Message[];
    expect(history.map((message) => message.text)).toEqual(["survives restarts"]);
  });
});
