// Apps in chat through the real server, worker, app hosts and chat sockets. A preview is
// unreviewed code: what it sends reaches only its developer (never stored), it cannot delete,
// and it hears only its developer's messages, so it never answers in public next to the
// deployed app. The deployed app is scoped: it hears and moderates only channels that enabled
// it (deleting its own messages anywhere), never posts where chat is disabled, and its
// deletions and system messages are rate limited. App messages carry a badge no user can fake,
// and no account can take the names the platform shows for apps and the system.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import type { ChatMessageView } from "../../server/chat/schemas";
import { connectNamespace } from "../helpers/connect-namespace";
import { TestClient } from "../helpers/http-client";
import { startServer, waitFor, type RunningServer } from "../helpers/server";

const moderationPerMinute = 8;
let server: RunningServer;
let staff: TestClient;
let dev: TestClient;
let bob: TestClient;
const sockets: Socket[] = [];

const manifest = {
  name: "Echo",
  main: "main.js",
  permissions: ["chat", "kv"],
  endpoints: {
    "/send": { post: { js_module: "api.js", js_function: "send", authn_policies: ["no_auth"] } },
    "/delete": { post: { js_module: "api.js", js_function: "remove", authn_policies: ["no_auth"] } },
    "/heard": { get: { js_module: "api.js", js_function: "heard", authn_policies: ["no_auth"], mode: "readonly" } },
  },
};

/** The same app as deployed (`live`) and as its developer's draft (`preview`): they answer !ping under their own name. */
const modules = (who: string) => ({
  "main.js": `canopy.chat.on("message", async (message) => {
    if (message.system) return;
    await canopy.kv.set("heard:" + String(message.id).padStart(12, "0"), message.channel + " " + message.username + " " + message.text);
    if (message.text === "!ping") await canopy.chat.send(message.channel, "${who} pong to " + message.username);
  });`,
  "api.js": `
    const attempt = async (work) => { try { return { body: await work() }; } catch (error) { return { body: { error: String(error.message) } }; } };
    export function send(request) {
      const { channel, text, system } = request.body.json();
      return attempt(() => (system ? canopy.chat.sendSystem(channel, text) : canopy.chat.send(channel, text)));
    }
    export function remove(request) { return attempt(async () => ({ deleted: await canopy.chat.delete(request.body.json().id) })); }
    export async function heard() { return { body: (await canopy.kv.list("heard:")).map((entry) => entry.value) }; }
  `,
});

async function member(name: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  expect((await client.mutation("account.signUp", { username: name, password: "long-enough-password" })).error).toBeUndefined();
  expect(await client.signIn(name, "long-enough-password")).toBe(true);
  return client;
}

/** A chat connection that joined `channels` and keeps every message it receives. */
async function chatAs(client: TestClient, channels: string[]) {
  const socket = await connectNamespace(server.url, "/chat", client.cookieHeader());
  sockets.push(socket);
  const received: ChatMessageView[] = [];
  socket.on("message", (message: ChatMessageView) => received.push(message));
  for (const channel of channels) expect((await socket.timeout(5000).emitWithAck("join", { channel })).error).toBeUndefined();
  const say = async (channel: string, text: string) => {
    const ack = (await socket.timeout(5000).emitWithAck("message", { type: "channel", target: channel, text })) as { data?: ChatMessageView; error?: unknown };
    expect(ack.error).toBeUndefined();
    return ack.data!;
  };
  const next = async (match: (message: ChatMessageView) => boolean) => {
    await waitFor(() => received.some(match), 10_000, 20);
    return received.find(match)!;
  };
  return { socket, received, say, next };
}

async function call<T>(client: TestClient, target: "live" | "preview", path: string, body?: unknown): Promise<T> {
  const base = target === "live" ? "/apps/echo/api" : "/apps/echo/preview/api";
  const response = await client.fetch(`${base}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

const history = async (channel: string) => (await bob.query<ChatMessageView[]>("chat.history", { channel, limit: 200 })).data!;

beforeAll(async () => {
  server = await startServer({
    env: { CANOPY_ADMIN_USERNAME: "ccstaff", CANOPY_ADMIN_PASSWORD: "cc-staff-password", CHAT_RATE_LIMIT_MESSAGES: "1000", APPS_CHAT_MODERATION_PER_MINUTE: String(moderationPerMinute) },
  });
  staff = new TestClient(server.url);
  expect(await staff.signIn("ccstaff", "cc-staff-password")).toBe(true);
  dev = await member("cc_dev");
  bob = await member("cc_bob");
  // The developer's app: the draft is the preview; staff deploy the reviewed version.
  const files = [
    { path: "app.json", content: JSON.stringify(manifest) },
    ...Object.entries(modules("preview")).map(([name, content]) => ({ path: `src/${name}`, content })),
  ];
  expect((await dev.mutation("apps.create", { id: "echo", name: "Echo", files })).error).toBeUndefined();
  for (const name of ["pubroom", "plainroom"]) expect((await staff.mutation("chat.createChannel", { name })).error).toBeUndefined();
  expect((await staff.mutation("chat.enableApp", { channel: "pubroom", appId: "echo" })).error).toBeUndefined();
  const bundle = { metadata: manifest, modules: Object.entries(modules("live")).map(([name, module]) => ({ name, module })) };
  // The worker announces the apps capability with its first heartbeat.
  await waitFor(async () => (await staff.fetch("/api/apps/echo/deploy", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ actions: [{ name: "set_js_app", args: { bundle } }] }) })).status === 200, 60_000, 200);
  const preview = await dev.mutation<{ ok: boolean }>("editor.previewStart", { appId: "echo" });
  expect(preview.data?.ok).toBe(true);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.stop();
});

describe("a preview acts only for its developer", () => {
  it("delivers its messages to the developer alone, marked as a preview, and stores nothing", async () => {
    const devChat = await chatAs(dev, []);
    const bobChat = await chatAs(bob, ["pubroom"]);
    const sent = await call<{ id: number }>(dev, "preview", "/send", { channel: "pubroom", text: "only for my developer" });
    expect(sent.id).toBeLessThan(0);
    // The developer gets it wherever they are (their own sockets), badged and marked.
    expect(await devChat.next((message) => message.text === "only for my developer")).toMatchObject({
      id: sent.id,
      type: "channel",
      target: "pubroom",
      preview: true,
      appId: "echo",
      app: { id: "echo", name: "Echo" },
    });
    // A live message sent after it reaches bob; the preview's, sent first, never did.
    const marker = await call<{ id: number }>(staff, "live", "/send", { channel: "pubroom", text: "marker after the preview" });
    await bobChat.next((message) => message.id === marker.id);
    expect(bobChat.received.filter((message) => message.preview || message.text === "only for my developer")).toEqual([]);
    expect((await history("pubroom")).map((message) => message.text)).not.toContain("only for my developer");
  });

  it("keeps its system messages private too, and refuses to delete anything", async () => {
    const devChat = await chatAs(dev, []);
    const sent = await call<{ id: number }>(dev, "preview", "/send", { channel: "plainroom", text: "private notice", system: true });
    expect(sent.id).toBeLessThan(0);
    expect(await devChat.next((message) => message.text === "private notice")).toMatchObject({ preview: true, system: true, appId: "echo", target: "plainroom" });
    expect((await history("plainroom")).map((message) => message.text)).not.toContain("private notice");

    const bobChat = await chatAs(bob, ["pubroom"]);
    const target = await bobChat.say("pubroom", "a message the preview wants gone");
    for (const id of [target.id, sent.id]) {
      expect(await call(dev, "preview", "/delete", { id })).toEqual({ error: "Previews cannot delete or moderate chat messages" });
    }
    expect((await history("pubroom")).map((message) => message.id)).toContain(target.id);
  });

  it("hears only its developer: another user's command gets one answer, from the deployed app", async () => {
    const bobChat = await chatAs(bob, ["pubroom"]);
    const devChat = await chatAs(dev, ["pubroom"]);
    const bobPing = await bobChat.say("pubroom", "!ping");
    await bobChat.next((message) => message.text === "live pong to cc_bob");
    // The developer tries the bot: the preview answers them privately, the deployed app publicly.
    await devChat.say("pubroom", "!ping");
    expect(await devChat.next((message) => message.text === "preview pong to cc_dev")).toMatchObject({ preview: true });
    await devChat.next((message) => message.text === "live pong to cc_dev");
    // Events reach the preview in order: having answered the developer, it would have heard bob first.
    const previewHeard = await call<string[]>(dev, "preview", "/heard");
    expect(previewHeard.some((line) => line.includes("cc_bob"))).toBe(false);
    expect(previewHeard).toContain("pubroom cc_dev !ping");
    const texts = (await history("pubroom")).filter((message) => message.id > bobPing.id).map((message) => message.text);
    expect(texts.filter((text) => text.includes("pong to cc_bob"))).toEqual(["live pong to cc_bob"]);
    expect(texts.filter((text) => text.startsWith("preview"))).toEqual([]);
    expect(bobChat.received.filter((message) => message.text.startsWith("preview"))).toEqual([]);
  });
});

describe("a deployed app is scoped to the channels that enabled it", () => {
  it("hears only channels that enabled it", async () => {
    const bobChat = await chatAs(bob, ["plainroom", "pubroom"]);
    await bobChat.say("plainroom", "!ping");
    await bobChat.say("pubroom", "heard marker");
    await waitFor(async () => (await call<string[]>(guestClient(), "live", "/heard")).includes(`pubroom cc_bob heard marker`), 10_000);
    expect((await call<string[]>(guestClient(), "live", "/heard")).some((line) => line.startsWith("plainroom"))).toBe(false);
    expect((await history("plainroom")).filter((message) => message.appId)).toEqual([]);
  });

  it("deletes its own messages anywhere, others' only where it is enabled", async () => {
    const bobChat = await chatAs(bob, ["plainroom", "pubroom"]);
    const bobsPlain = await bobChat.say("plainroom", "not yours to delete");
    expect(((await call<{ error?: string }>(guestClient(), "live", "/delete", { id: bobsPlain.id })).error)).toMatch(/Echo may delete only its own messages in #plainroom/);
    expect((await history("plainroom")).map((message) => message.id)).toContain(bobsPlain.id);

    const own = await call<{ id: number }>(guestClient(), "live", "/send", { channel: "plainroom", text: "mine to delete" });
    expect(await call(guestClient(), "live", "/delete", { id: own.id })).toEqual({ deleted: true });

    const bobsPub = await bobChat.say("pubroom", "the enabled app may delete this");
    const deleted = new Promise<{ id: number }>((resolve) => bobChat.socket.on("delete", (payload: { id: number }) => payload.id === bobsPub.id && resolve(payload)));
    expect(await call(guestClient(), "live", "/delete", { id: bobsPub.id })).toEqual({ deleted: true });
    await deleted;
    expect((await history("pubroom")).map((message) => message.id)).not.toContain(bobsPub.id);
  });

  it("posts system messages only in open channels that enabled it, and nothing where chat is disabled", async () => {
    expect((await call<{ error?: string }>(guestClient(), "live", "/send", { channel: "plainroom", text: "fake system", system: true })).error).toBe("#plainroom has not enabled Echo");
    const system = await call<{ id: number }>(guestClient(), "live", "/send", { channel: "pubroom", text: "a real notice", system: true });
    expect((await history("pubroom")).find((message) => message.id === system.id)).toMatchObject({ system: true, appId: "echo", username: "system", text: "a real notice" });

    expect((await staff.mutation("chat.updateSettings", { channel: "pubroom", chatDisabled: true })).error).toBeUndefined();
    try {
      for (const system of [true, false]) {
        expect((await call<{ error?: string }>(guestClient(), "live", "/send", { channel: "pubroom", text: "while disabled", system })).error).toBe("Chat is disabled in #pubroom");
      }
      expect((await history("pubroom")).map((message) => message.text)).not.toContain("while disabled");
    } finally {
      expect((await staff.mutation("chat.updateSettings", { channel: "pubroom", chatDisabled: false })).error).toBeUndefined();
    }
  });

  it("lets only the channel's owner and staff enable apps", async () => {
    expect((await bob.mutation("chat.enableApp", { channel: "pubroom", appId: "echo" })).error?.data.code).toBe("FORBIDDEN");
    expect((await bob.query("chat.apps", { channel: "pubroom" })).error?.data.code).toBe("FORBIDDEN");
    expect((await bob.mutation("chat.enableApp", { channel: "cc_bob", appId: "no-such-app" })).error?.data.code).toBe("NOT_FOUND");
    expect((await bob.mutation("chat.enableApp", { channel: "cc_bob", appId: "echo" })).data).toMatchObject({ appId: "echo", appName: "Echo" });
    expect((await bob.query<{ appId: string }[]>("chat.apps", { channel: "cc_bob" })).data?.map((app) => app.appId)).toEqual(["echo"]);
    expect((await bob.mutation("chat.disableApp", { channel: "cc_bob", appId: "echo" })).data).toEqual({ disabled: true });
    expect((await staff.query<{ appId: string }[]>("chat.apps", { channel: "pubroom" })).data?.map((app) => app.appId)).toEqual(["echo"]);
  });

  it("rate limits its deletions and system messages", async () => {
    const outcomes: (string | undefined)[] = [];
    for (let attempt = 0; attempt <= moderationPerMinute; attempt++) {
      outcomes.push((await call<{ error?: string }>(guestClient(), "live", "/send", { channel: "pubroom", text: `notice ${attempt}`, system: true })).error);
    }
    const refused = outcomes.filter((error) => error !== undefined);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((error) => /at most 8 deletions and system messages per minute/.test(error!))).toBe(true);
    // Everything after the first refusal is refused too, and none of it was stored.
    expect(outcomes.slice(outcomes.indexOf(refused[0]))).toEqual(refused);
    const stored = (await history("pubroom")).filter((message) => /^notice \d+$/.test(message.text));
    expect(stored.length).toBe(outcomes.length - refused.length);
    // Plain messages are not moderation: they still go out.
    expect((await call<{ id?: number }>(guestClient(), "live", "/send", { channel: "pubroom", text: "still talking" })).id).toBeGreaterThan(0);
  });
});

describe("app messages carry a badge no user can fake", () => {
  it("never badges a user's message, whatever they type", async () => {
    const bobChat = await chatAs(bob, ["pubroom"]);
    const sent = await bobChat.say("pubroom", "I am the app:echo");
    const stored = (await history("pubroom")).find((message) => message.id === sent.id)!;
    for (const view of [sent, stored]) {
      expect(view).not.toHaveProperty("appId");
      expect(view).not.toHaveProperty("app");
      expect(view).not.toHaveProperty("system");
    }
  });

  it("refuses the platform's reserved names as usernames and display names", async () => {
    const client = new TestClient(server.url);
    expect((await client.mutation("account.signUp", { username: "system", password: "long-enough-password" })).error?.message).toBe("That username is reserved");
    expect((await client.mutation("account.signUp", { username: "cc_faker", password: "long-enough-password", displayName: " System " })).error?.message).toBe("That display name is reserved");
    for (const displayName of ["system", "app:echo", "APP:anything"]) {
      expect((await bob.mutation("account.updateProfile", { displayName })).error?.data.code).toBe("BAD_REQUEST");
    }
    expect((await client.mutation("account.signUp", { username: "cc_faker", password: "long-enough-password", displayName: "Echo" })).error).toBeUndefined();
  });
});

function guestClient(): TestClient {
  return new TestClient(server.url);
}
