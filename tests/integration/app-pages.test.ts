// App pages through the real server, worker and /apps sockets: joining published pages, rpc
// calls relayed to the app with permission levels, timeouts and thrown errors, events to all and
// to one user, page presence, the origin check, and staff control of placements.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { connectNamespace } from "../helpers/connect-namespace";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";
import { exampleProposal } from "../helpers/example-bundle";

type Ack<T = unknown> = { data?: T; error?: { code: string; message: string } };

let server: RunningServer;
let staff: TestClient;
let alice: TestClient;
let bob: TestClient;
const sockets: Socket[] = [];

/** A test-only app exercising every rpc case; its page is a plain file. */
const rpcLab = {
  actions: [
    {
      name: "set_js_app",
      args: {
        bundle: {
          metadata: {
            name: "RPC lab",
            main: "main.js",
            permissions: ["rpc", "pages"],
            csp: { "img-src": ["https://images.example.com"] },
            pages: { main: { file: "pages/index.html", title: "Lab" }, hidden: { file: "pages/index.html", title: "Hidden" } },
          },
          modules: [
            {
              name: "main.js",
              module: `
                canopy.rpc.register("whoami", "guest", (context) => ({ caller: context.caller, pageId: context.pageId }));
                canopy.rpc.register("members", "user", (context, a, b) => ({ sum: a + b, username: context.caller.username }));
                canopy.rpc.register("staffOnly", "staff", () => "secret plans");
                canopy.rpc.register("boom", "guest", () => { throw new Error("kaboom"); });
                canopy.rpc.register("slow", "guest", () => new Promise((resolve) => setTimeout(() => resolve("late"), 3000)));
                canopy.rpc.register("notifyMe", "user", (context, text) => { canopy.rpc.emitToUser(context.caller.userId, "note", { text }); return true; });
                canopy.rpc.register("shout", "guest", (context, text) => { canopy.rpc.emit("shout", { text }); return true; });
                canopy.rpc.register("showHidden", "staff", async (context, show) => { if (show) await canopy.pages.publish("hidden"); else await canopy.pages.unpublish("hidden"); return show; });
                canopy.rpc.on("connected", (event) => canopy.rpc.emit("opened", event));
                canopy.rpc.on("disconnected", (event) => canopy.rpc.emit("closed", event));
                canopy.pages.publish("main", { title: "The lab" });
              `,
            },
          ],
          files: [{ path: "pages/index.html", base64: Buffer.from("<!doctype html><title>Lab</title><script src='/appbridge.js'></script><p>lab</p>").toString("base64") }],
        },
      },
    },
  ],
};

async function deploy(appId: string, proposal: unknown) {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(proposal) });
  return { status: response.status, body: (await response.json()) as { ok: boolean; reason?: string } };
}

async function connect(client: TestClient | null, origin: string = server.url): Promise<Socket> {
  const headers: Record<string, string> = { origin };
  if (client) headers.cookie = client.cookieHeader();
  const socket = io(`${server.url}/apps`, { transports: ["websocket"], extraHeaders: headers, reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.on("connect", () => resolve());
    socket.on("connect_error", reject);
  });
  return socket;
}

const ask = <T = unknown>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> => socket.timeout(15_000).emitWithAck(event, payload) as Promise<Ack<T>>;
const join = (socket: Socket, appId: string, pageId: string) => ask(socket, "page:join", { appId, pageId });
const call = <T = unknown>(socket: Socket, method: string, args: unknown[] = [], extra: Record<string, unknown> = {}) =>
  ask<{ result: T }>(socket, "rpc:call", { appId: "rpc-lab", pageId: "main", method, args, ...extra });

function nextEvent(socket: Socket, name: string, event: string, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} ${event}`)), timeoutMs);
    const listener = (message: { event?: string; payload?: unknown; connected?: boolean }) => {
      if (name === "rpc:event" && message.event !== event) return;
      clearTimeout(timer);
      socket.off(name, listener);
      resolve(message);
    };
    socket.on(name, listener);
  });
}

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "pagestaff", CANOPY_ADMIN_PASSWORD: "pages-staff-password" } });
  staff = new TestClient(server.url);
  alice = new TestClient(server.url);
  bob = new TestClient(server.url);
  expect(await staff.signIn("pagestaff", "pages-staff-password")).toBe(true);
  for (const [client, name] of [[alice, "alice"], [bob, "bob"]] as const) {
    await client.mutation("account.signUp", { username: name, password: `${name}-long-password` });
    expect(await client.signIn(name, `${name}-long-password`)).toBe(true);
  }
  for (const id of ["rpc-lab", "poll", "leaderboard", "notes"]) expect((await staff.mutation("apps.create", { id, name: id })).error).toBeUndefined();
  // The worker offers the apps capability after its first heartbeat.
  await waitFor(async () => (await deploy("rpc-lab", rpcLab)).status === 200, 60_000, 300);
  for (const [appId, example] of [["poll", "poll"], ["leaderboard", "leaderboard"], ["notes", "ccf-endpoints"]] as const) {
    expect((await deploy(appId, exampleProposal(example))).body).toMatchObject({ ok: true });
  }
  // Publication arrives over the bus once main ran.
  const shown = async () => ((await staff.query<{ appId: string; pageId: string }[]>("appPages.shown", { placement: "page" })).data ?? []).length === 3;
  await waitFor(shown, 20_000);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.stop();
});

describe("joining app pages", () => {
  it("joins published pages and refuses unpublished, unknown and malformed ones", async () => {
    const socket = await connect(alice);
    expect((await join(socket, "rpc-lab", "main")).data).toMatchObject({ appId: "rpc-lab", pageId: "main" });
    expect((await join(socket, "rpc-lab", "hidden")).error?.code).toBe("NOT_FOUND");
    expect((await join(socket, "nope", "main")).error?.code).toBe("NOT_FOUND");
    expect((await ask(socket, "page:join", { appId: "RPC LAB!", pageId: 3 })).error?.code).toBe("BAD_REQUEST");
    // Nobody but editors sees the draft's preview.
    expect((await ask(socket, "page:join", { appId: "rpc-lab", pageId: "main", target: "preview" })).error?.code).toBe("NOT_FOUND");
  });

  it("follows canopy.pages.publish and unpublish", async () => {
    const staffSocket = await connect(staff);
    await join(staffSocket, "rpc-lab", "main");
    expect((await call(staffSocket, "showHidden", [true])).data?.result).toBe(true);
    const viewer = await connect(alice);
    expect((await join(viewer, "rpc-lab", "hidden")).error).toBeUndefined();
    expect((await new TestClient(server.url).fetch("/a/rpc-lab/hidden")).status).toBe(200);
    expect((await call(staffSocket, "showHidden", [false])).data?.result).toBe(false);
    const later = await connect(alice);
    expect((await join(later, "rpc-lab", "hidden")).error?.code).toBe("NOT_FOUND");
    expect((await new TestClient(server.url).fetch("/a/rpc-lab/hidden")).status).toBe(404);
  });

  it("refuses connections that do not come from a platform page (a sandboxed app page's origin is null)", async () => {
    const sandboxed = await connect(alice, "null");
    expect((await join(sandboxed, "rpc-lab", "main")).error?.code).toBe("FORBIDDEN");
    const elsewhere = await connect(alice, "https://evil.example");
    expect((await call(elsewhere, "whoami")).error?.code).toBe("FORBIDDEN");
  });

  it("tells the app's other pages when a user opens and closes a page", async () => {
    const watcher = await connect(bob);
    await join(watcher, "rpc-lab", "main");
    const opened = nextEvent(watcher, "page:user", "");
    const visitor = await connect(alice);
    await join(visitor, "rpc-lab", "main");
    expect(await opened).toMatchObject({ appId: "rpc-lab", pageId: "main", connected: true, user: { username: "alice" } });
    const closed = nextEvent(watcher, "page:user", "");
    visitor.close();
    expect(await closed).toMatchObject({ connected: false, user: { username: "alice" } });
  });

  it("tells the app's server script: canopy.rpc.on connected and disconnected", async () => {
    const watcher = await connect(bob);
    // The watcher's own opening comes back through the worker first.
    const ownOpening = nextEvent(watcher, "rpc:event", "opened");
    await join(watcher, "rpc-lab", "main");
    expect(await ownOpening).toMatchObject({ payload: { user: { username: "bob" } } });
    const opened = nextEvent(watcher, "rpc:event", "opened");
    const visitor = await connect(alice);
    await join(visitor, "rpc-lab", "main");
    expect(await opened).toMatchObject({ payload: { pageId: "main", user: { username: "alice" } } });
    const closed = nextEvent(watcher, "rpc:event", "closed");
    await ask(visitor, "page:leave", { appId: "rpc-lab", pageId: "main" });
    expect(await closed).toMatchObject({ payload: { pageId: "main", user: { username: "alice" } } });
  });
});

describe("rpc calls", () => {
  it("checks permission levels: guest, user and staff methods", async () => {
    const guestSocket = await connect(null);
    const aliceSocket = await connect(alice);
    const staffSocket = await connect(staff);
    for (const socket of [guestSocket, aliceSocket, staffSocket]) expect((await join(socket, "rpc-lab", "main")).error).toBeUndefined();

    expect((await call(guestSocket, "whoami")).data?.result).toEqual({ caller: null, pageId: "main" });
    expect((await call(guestSocket, "members", [1, 2])).error?.code).toBe("UNAUTHORIZED");
    expect((await call(aliceSocket, "members", [1, 2])).data?.result).toEqual({ sum: 3, username: "alice" });
    expect((await call(aliceSocket, "staffOnly")).error?.code).toBe("FORBIDDEN");
    expect((await call(staffSocket, "staffOnly")).data?.result).toBe("secret plans");
    expect((await call(aliceSocket, "noSuchMethod")).error?.code).toBe("NOT_FOUND");
  });

  it("answers a method that throws with APP_ERROR and the app's message, and keeps serving", async () => {
    const socket = await connect(alice);
    await join(socket, "rpc-lab", "main");
    const failed = await call(socket, "boom");
    expect(failed.error?.code).toBe("APP_ERROR");
    expect(failed.error?.message).toContain("kaboom");
    expect((await call(socket, "whoami")).data?.result).toMatchObject({ caller: { username: "alice" } });
  });

  it("times out at the caller's deadline", async () => {
    const socket = await connect(alice);
    await join(socket, "rpc-lab", "main");
    const late = await call(socket, "slow", [], { timeoutMs: 500 });
    expect(late.error?.code).toBe("TIMEOUT");
    expect((await call(socket, "whoami")).error).toBeUndefined();
  });

  it("only reaches the app of a page the socket joined, and validates the call", async () => {
    const socket = await connect(alice);
    await join(socket, "rpc-lab", "main");
    expect((await ask(socket, "rpc:call", { appId: "poll", pageId: "vote", method: "close", args: [] })).error?.code).toBe("FORBIDDEN");
    expect((await ask(socket, "rpc:call", { appId: "rpc-lab", pageId: "main" })).error?.code).toBe("BAD_REQUEST");
    expect((await call(socket, "whoami", [], { timeoutMs: 10 ** 9 })).error?.code).toBe("BAD_REQUEST");
  });
});

describe("events", () => {
  it("sends emitToUser to that user's pages only, and emit to every page", async () => {
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);
    await join(aliceSocket, "rpc-lab", "main");
    await join(bobSocket, "rpc-lab", "main");
    const bobHeard: unknown[] = [];
    bobSocket.on("rpc:event", (message: { event: string }) => bobHeard.push(message.event));

    const note = nextEvent(aliceSocket, "rpc:event", "note");
    expect((await call(aliceSocket, "notifyMe", ["just for alice"])).data?.result).toBe(true);
    expect(await note).toMatchObject({ appId: "rpc-lab", target: "live", event: "note", payload: { text: "just for alice" } });

    const shoutAlice = nextEvent(aliceSocket, "rpc:event", "shout");
    const shoutBob = nextEvent(bobSocket, "rpc:event", "shout");
    await call(bobSocket, "shout", ["everyone"]);
    await Promise.all([shoutAlice, shoutBob]);
    // The shout came after the note, so bob would have heard the note by now.
    expect(bobHeard).toContain("shout");
    expect(bobHeard).not.toContain("note");
  });

  it("runs the poll example: votes from one user change what another page sees", async () => {
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);
    await join(aliceSocket, "poll", "vote");
    await join(bobSocket, "poll", "vote");
    const pollCall = (socket: Socket, method: string, args: unknown[] = []) => ask<{ result: { options: { votes: number }[] } | null }>(socket, "rpc:call", { appId: "poll", pageId: "vote", method, args });
    // No poll yet: voting is the app's own error.
    expect((await pollCall(aliceSocket, "vote", [0])).error).toMatchObject({ code: "APP_ERROR", message: expect.stringContaining("no poll") });
    // The channel owner starts one in chat.
    await alice.mutation("chat.createChannel", { name: "alice" }).catch(() => undefined);
    // Deployed apps hear only the channels that enabled them.
    expect((await alice.mutation("chat.enableApp", { channel: "alice", appId: "poll" })).error).toBeUndefined();
    const chat = await connectNamespace(server.url, "/chat", alice.cookieHeader());
    sockets.push(chat);
    await chat.timeout(5000).emitWithAck("join", { channel: "alice" });
    const started = nextEvent(bobSocket, "rpc:event", "poll", 10_000);
    const sent = (await chat.timeout(5000).emitWithAck("message", { type: "channel", target: "alice", text: "!poll Best snack? | Apples | Pears" })) as Ack;
    expect(sent.error).toBeUndefined();
    expect(await started).toMatchObject({ payload: { question: "Best snack?", total: 0 } });

    const update = nextEvent(bobSocket, "rpc:event", "poll");
    const voted = await pollCall(aliceSocket, "vote", [1]);
    expect(voted.data?.result).toMatchObject({ myVote: 1, total: 1 });
    expect(await update).toMatchObject({ payload: { options: [{ label: "Apples", votes: 0 }, { label: "Pears", votes: 1 }], myVote: null } });
    // Guests may look but not vote.
    const guestSocket = await connect(null);
    await join(guestSocket, "poll", "vote");
    expect((await pollCall(guestSocket, "vote", [0])).error?.code).toBe("UNAUTHORIZED");
    const results = await new TestClient(server.url).fetch("/apps/poll/api/results");
    expect(await results.json()).toMatchObject({ question: "Best snack?", total: 1 });
  });
});

describe("the other examples", () => {
  it("leaderboard: staff award points in KV, every board sees the top ten, only the scorer hears about it", async () => {
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);
    const staffSocket = await connect(staff);
    for (const socket of [aliceSocket, bobSocket, staffSocket]) expect((await join(socket, "leaderboard", "board")).error).toBeUndefined();
    const board = (socket: Socket, method: string, args: unknown[] = []) => ask<{ result: unknown }>(socket, "rpc:call", { appId: "leaderboard", pageId: "board", method, args });
    expect((await board(aliceSocket, "hello")).data?.result).toBeNull();
    expect((await board(aliceSocket, "award", ["alice", 5])).error?.code).toBe("FORBIDDEN");
    expect((await board(staffSocket, "award", ["nobody", 5])).error).toMatchObject({ code: "APP_ERROR", message: expect.stringContaining("has not opened") });

    const bobHeard: string[] = [];
    bobSocket.on("rpc:event", (message: { event: string }) => bobHeard.push(message.event));
    const scored = nextEvent(aliceSocket, "rpc:event", "scored");
    const top = nextEvent(bobSocket, "rpc:event", "top");
    expect((await board(staffSocket, "award", ["alice", 30])).data?.result).toMatchObject({ username: "alice", points: 30 });
    expect(await scored).toMatchObject({ payload: { points: 30, total: 30, by: "pagestaff" } });
    expect(await top).toMatchObject({ payload: [{ username: "alice", points: 30 }] });
    expect(bobHeard).not.toContain("scored");
    const endpoint = await new TestClient(server.url).fetch("/apps/leaderboard/api/top?limit=1");
    expect(await endpoint.json()).toEqual([{ username: "alice", displayName: "alice", points: 30 }]);
  });

  it("ccf-endpoints: CCF-style handlers with policies, params, transactions and interpreter reuse", async () => {
    const guest = new TestClient(server.url);
    const post = (client: TestClient, body: string) => client.fetch("/apps/notes/api/notes", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect((await post(guest, JSON.stringify({ text: "hi" }))).status).toBe(401);
    expect((await post(alice, "not json")).status).toBe(400);
    const created = await post(alice, JSON.stringify({ text: "first note" }));
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/apps/notes/api/notes/1");
    expect(await created.json()).toEqual({ id: 1, text: "first note", author: "alice" });
    expect(await (await guest.fetch("/apps/notes/api/notes/1")).json()).toMatchObject({ text: "first note" });
    expect((await guest.fetch("/apps/notes/api/notes/9")).status).toBe(404);
    expect((await alice.fetch("/apps/notes/api/notes/1", { method: "DELETE" })).status).toBe(403);
    expect((await staff.fetch("/apps/notes/api/notes/1", { method: "DELETE" })).status).toBe(204);
    expect(await (await guest.fetch("/apps/notes/api/notes")).json()).toEqual([]);
    expect(await (await guest.fetch("/apps/notes/api/echo/a")).text()).toBe("a (1)");
    expect(await (await guest.fetch("/apps/notes/api/echo/b")).text()).toBe("b (2)");
    const openapi = (await (await guest.fetch("/apps/notes/api/openapi.json")).json()) as { paths: Record<string, Record<string, { summary?: string }>> };
    expect(openapi.paths["/notes"]?.post?.summary).toBe("Adds a note (signed-in users)");
  });
});

describe("placements", () => {
  it("lets staff allow only placements the manifest asks for, and lists pages by placement", async () => {
    expect((await alice.mutation("appPages.setPlacements", { appId: "poll", pageId: "vote", allowed: ["chat-card"] })).error?.data.code).toBe("FORBIDDEN");
    expect((await staff.mutation("appPages.setPlacements", { appId: "poll", pageId: "vote", allowed: ["nav"] })).error?.data.code).toBe("BAD_REQUEST");
    expect((await staff.mutation("appPages.setPlacements", { appId: "poll", pageId: "nope", allowed: [] })).error?.data.code).toBe("NOT_FOUND");
    expect((await staff.query<unknown[]>("appPages.shown", { placement: "chat-card" })).data).toEqual([]);

    expect((await staff.mutation("appPages.setPlacements", { appId: "poll", pageId: "vote", allowed: ["chat-card", "channel-tab"] })).error).toBeUndefined();
    const cards = (await new TestClient(server.url).query<{ appId: string; pageId: string; placements: string[] }[]>("appPages.shown", { placement: "chat-card" })).data;
    expect(cards).toEqual([expect.objectContaining({ appId: "poll", pageId: "vote", title: "Poll", file: "pages/vote.html" })]);
    const listed = (await staff.query<{ appId: string; pageId: string; requested: string[]; allowed: string[]; published: boolean }[]>("appPages.placements")).data;
    expect(listed).toContainEqual(expect.objectContaining({ appId: "poll", pageId: "vote", published: true, requested: ["channel-tab", "chat-card"], allowed: ["chat-card", "channel-tab"] }));
  });

  it("serves the page host and the appbridge with its types", async () => {
    const guest = new TestClient(server.url);
    expect((await guest.fetch("/a/poll/vote")).status).toBe(200);
    expect((await guest.fetch("/a/rpc-lab/hidden")).status).toBe(404);
    const file = await guest.fetch("/apps/poll/files/pages/vote.html");
    const csp = file.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("sandbox allow-scripts");
    expect(csp).not.toContain("allow-same-origin");
    // app.json may add https origins for passive content, nothing more.
    const labCsp = (await guest.fetch("/apps/rpc-lab/files/pages/index.html")).headers.get("content-security-policy") ?? "";
    expect(labCsp).toMatch(/img-src [^;]*https:\/\/images\.example\.com/);
    expect(labCsp).toMatch(/script-src 'self' 'unsafe-inline';/);
    const widened = structuredClone(rpcLab);
    (widened.actions[0]!.args.bundle.metadata as Record<string, unknown>).csp = { "script-src": ["https://evil.example"] };
    expect((await deploy("rpc-lab", widened)).status).toBe(400);
    expect((await guest.fetch("/apps/rpc-lab/files/pages/index.html")).headers.get("content-security-policy")).toBe(labCsp);
    expect((await guest.fetch("/appbridge.js")).status).toBe(200);
    const types = (await (await guest.fetch("/api/apps/types")).json()) as { files: { path: string; content: string }[] };
    expect(types.files.find((entry) => entry.path === "appbridge.d.ts")?.content).toContain("interface AppBridge");
  });
});

describe("redeploys", () => {
  it("hides pages the new deployment no longer publishes, and shows them again when it does", async () => {
    const guest = new TestClient(server.url);
    expect((await guest.fetch("/a/leaderboard/board")).status).toBe(200);
    const silent = exampleProposal("leaderboard");
    const bundle = silent.actions[0]!.args.bundle;
    bundle.modules = bundle.modules.map((module) => (module.name === "main.js" ? { ...module, module: module.module.replace(/canopy\.pages\.publish\("board"\)/, "Promise.resolve()") } : module));
    expect((await deploy("leaderboard", silent)).body).toMatchObject({ ok: true });
    expect((await guest.fetch("/a/leaderboard/board")).status).toBe(404);
    expect((await deploy("leaderboard", exampleProposal("leaderboard"))).body).toMatchObject({ ok: true });
    await waitFor(async () => (await guest.fetch("/a/leaderboard/board")).status === 200, 10_000);
  });
});
