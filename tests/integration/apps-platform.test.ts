// The platform API and the runtime's lifecycle through the real server, worker, HTTP and sockets:
// chat events answered by an app, canopy.kv/users/streams/pages, staff start/stop/restart, log
// streaming rights, preview access, suspension, atomic swaps, and recovery after a worker SIGKILL.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { connectNamespace } from "../helpers/connect-namespace";
import { freePort } from "../helpers/free-port";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";
import { ffmpegPath, killAll, publish, type Publisher } from "../helpers/ingest";

let server: RunningServer;
let staff: TestClient;
let member: TestClient;
let guest: TestClient;
const sockets: Socket[] = [];
const publishers: Publisher[] = [];
let rtmpPort: number;


function proposal(metadata: unknown, modules: Record<string, string>, files: Record<string, string> = {}) {
  const bundle = {
    metadata,
    modules: Object.entries(modules).map(([name, module]) => ({ name, module })),
    files: Object.entries(files).map(([path, text]) => ({ path, base64: Buffer.from(text).toString("base64") })),
  };
  return { actions: [{ name: "set_js_app", args: { bundle } }] };
}

async function deploy(appId: string, body: unknown) {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { ok: boolean; reason?: string } };
}

async function connect(path: string, client?: TestClient): Promise<Socket> {
  const socket = await connectNamespace(server.url, path, client?.cookieHeader());
  sockets.push(socket);
  return socket;
}

const botApp = proposal(
  {
    name: "Bot",
    main: "main.js",
    permissions: ["chat", "kv", "users", "streams", "pages"],
    pages: { home: { file: "pages/index.html", title: "Home" } },
    endpoints: {
      "/kv": { post: { js_module: "api.js", js_function: "kv" } },
      "/kv-big": { post: { js_module: "api.js", js_function: "kvBig" } },
      "/user/{name}": { get: { js_module: "api.js", js_function: "user", mode: "readonly" } },
      "/stream/{channel}": { get: { js_module: "api.js", js_function: "stream", mode: "readonly" } },
      "/heard/{channel}": { get: { js_module: "api.js", js_function: "heard", mode: "readonly" } },
      "/publish": { post: { js_module: "api.js", js_function: "publish" } },
    },
  },
  {
    "main.js": `canopy.chat.on("message", async (message) => {
      if (message.text === "!ping") await canopy.chat.send(message.channel, "pong to " + message.username);
    });
    canopy.streams.on("online", (event) => canopy.kv.set("stream:" + event.channel, "online"));
    canopy.streams.on("offline", (event) => canopy.kv.set("stream:" + event.channel, "offline"));`,
    "api.js": `
      export async function kv() {
        await canopy.kv.set("a:1", { n: 1 });
        await canopy.kv.set("a:2", [2]);
        await canopy.kv.set("b:1", "b");
        const prefixed = await canopy.kv.list("a:");
        const limited = await canopy.kv.list("", { limit: 1 });
        await canopy.kv.delete("a:2");
        const afterDelete = await canopy.kv.get("a:2");
        await canopy.kv.clear();
        return { body: { prefixed, limited, afterDelete: afterDelete === undefined, afterClear: await canopy.kv.list() } };
      }
      export async function kvBig() {
        try { await canopy.kv.set("big", "x".repeat(40000)); return { body: { stored: true } }; }
        catch (error) { return { statusCode: 507, body: { error: String(error.message) } }; }
      }
      export async function user(request) { return { body: { user: await canopy.users.get(request.params.name) } }; }
      export async function heard(request) { return { body: { heard: (await canopy.kv.get("stream:" + request.params.channel)) ?? null } }; }
      export async function stream(request) { return { body: await canopy.streams.status(request.params.channel) }; }
      export async function publish() { await canopy.pages.publish("home", { title: "Bot home" }); return { body: { ok: true } }; }
    `,
  },
  { "pages/index.html": "<h1>Bot</h1>" },
);

const version = (v: number) =>
  proposal(
    { endpoints: { "/v": { get: { js_module: "v.js", js_function: "v" } }, "/slow": { get: { js_module: "v.js", js_function: "slow" } } } },
    { "v.js": `export function v() { return { body: { v: ${v} } }; }\nexport async function slow() { await new Promise((resolve) => setTimeout(resolve, 600)); return { body: { v: ${v} } }; }` },
  );

const loopApp = proposal({ endpoints: { "/loop": { get: { js_module: "l.js", js_function: "loop" } }, "/ok": { get: { js_module: "l.js", js_function: "ok" } } } }, {
  "l.js": "export function loop() { for (;;) {} }\nexport function ok() { return { body: 'ok' }; }",
});

beforeAll(async () => {
  rtmpPort = await freePort();
  server = await startServer({
    env: {
      CANOPY_ADMIN_USERNAME: "platstaff",
      CANOPY_ADMIN_PASSWORD: "plat-staff-password",
      APPS_KV_MAX_BYTES: "20000",
      APPS_SUSPEND_AFTER_VIOLATIONS: "3",
      CHAT_RATE_LIMIT_MESSAGES: "1000",
      RTMP_PORT: String(rtmpPort),
      RTMP_HOST: "127.0.0.1",
    },
  });
  staff = new TestClient(server.url);
  member = new TestClient(server.url);
  guest = new TestClient(server.url);
  expect(await staff.signIn("platstaff", "plat-staff-password")).toBe(true);
  await member.mutation("account.signUp", { username: "plat_member", password: "long-enough-1" });
  expect(await member.signIn("plat_member", "long-enough-1")).toBe(true);
  for (const id of ["bot", "swap", "looper", "roles"]) expect((await staff.mutation("apps.create", { id, name: id })).error).toBeUndefined();
  await staff.mutation("chat.createChannel", { name: "botroom" });
  // Deployed apps hear only the channels that enabled them.
  expect((await staff.mutation("chat.enableApp", { channel: "botroom", appId: "bot" })).error).toBeUndefined();
  // The worker announces the apps capability with its first heartbeat.
  for (let attempt = 0; ; attempt++) {
    const result = await deploy("bot", botApp);
    if (result.status === 200) break;
    if (attempt > 100) throw new Error(`bot did not deploy: ${JSON.stringify(result.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect((await deploy("swap", version(1))).status).toBe(200);
  expect((await deploy("looper", loopApp)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await killAll(publishers);
  for (const socket of sockets) socket.close();
  await server?.stop();
});

describe("platform API", () => {
  it("delivers chat messages to the app's main module, which answers as itself", async () => {
    const chat = await connect("/chat", member);
    await chat.timeout(5000).emitWithAck("join", { channel: "botroom" });
    const answer = new Promise<{ username: string; displayName: string; text: string }>((resolve) =>
      chat.on("message", (message: { username: string; displayName: string; text: string }) => {
        if (message.text.startsWith("pong")) resolve(message);
      }),
    );
    const ack = await chat.timeout(5000).emitWithAck("message", { type: "channel", target: "botroom", text: "!ping" });
    expect(ack.error).toBeUndefined();
    expect(await answer).toMatchObject({ username: "app:bot", displayName: "bot", text: "pong to plat_member", appId: "bot", app: { id: "bot", name: "bot" } });
  });

  it("canopy.kv lists by prefix with a limit, deletes and clears", async () => {
    const response = await guest.fetch("/apps/bot/api/kv", { method: "POST" });
    expect(await response.json()).toEqual({
      prefixed: [
        { key: "a:1", value: { n: 1 } },
        { key: "a:2", value: [2] },
      ],
      limited: [{ key: "a:1", value: { n: 1 } }],
      afterDelete: true,
      afterClear: [],
    });
  });

  it("canopy.kv refuses writes over the app's quota and records the violation", async () => {
    const response = await guest.fetch("/apps/bot/api/kv-big", { method: "POST" });
    expect(response.status).toBe(507);
    expect(JSON.stringify(await response.json())).toContain("quota");
    // The worker sends log lines in batches.
    await waitFor(async () => {
      const logs = await staff.query<{ level: string; message: string }[]>("appRuntime.logs", { appId: "bot", target: "live" });
      return logs.data!.some((entry) => entry.level === "violation" && /quota/i.test(entry.message));
    }, 5000);
  });

  it("canopy.users.get gives the public profile only, or null; users:read-roles adds the role", async () => {
    const userOf = async (appId: string, name: string) => ((await (await guest.fetch(`/apps/${appId}/api/user/${name}`)).json()) as { user: Record<string, unknown> | null }).user;
    expect(await userOf("bot", "plat_member")).toEqual({ id: expect.any(String), username: "plat_member", displayName: expect.any(String) });
    expect(await userOf("bot", "platstaff")).not.toHaveProperty("role");
    expect(await userOf("bot", "nobody_here")).toBeNull();
    const rolesApp = (permissions: string[]) =>
      proposal(
        { permissions, endpoints: { "/user/{name}": { get: { js_module: "u.js", js_function: "user", mode: "readonly" } } } },
        { "u.js": "export async function user(request) { return { body: { user: await canopy.users.get(request.params.name) } }; }" },
      );
    // A permission the reviewer sees, with its scope, widens the profile by the role and nothing else.
    expect((await deploy("roles", rolesApp(["users", "users:read-roles"]))).status).toBe(200);
    expect(await userOf("roles", "platstaff")).toEqual({ id: expect.any(String), username: "platstaff", displayName: expect.any(String), role: "STAFF" });
    expect(await userOf("roles", "plat_member")).toMatchObject({ role: "MEMBER" });
    const alone = await deploy("roles", rolesApp(["users:read-roles"]));
    expect(alone.status).toBe(400);
    expect(alone.body.reason).toContain("users:read-roles");
  });

  it("canopy.streams.status reports a channel's status", async () => {
    expect(await (await guest.fetch("/apps/bot/api/stream/botroom")).json()).toMatchObject({ channel: "botroom", status: "OFFLINE" });
    expect(await (await guest.fetch("/apps/bot/api/stream/no-such-channel")).json()).toMatchObject({ status: "UNKNOWN" });
  });

  // Needs a real publisher: skipped where ffmpeg is not installed.
  it.skipIf(spawnSync(ffmpegPath, ["-version"]).error !== undefined)("tells the main module when a channel goes live and offline", async () => {
    const streamer = new TestClient(server.url);
    await streamer.mutation("account.signUp", { username: "plat_caster", password: "caster-password" });
    expect(await streamer.signIn("plat_caster", "caster-password")).toBe(true);
    const key = (await streamer.mutation<{ streamKey: string }>("streams.rotateKey")).data!.streamKey;
    const heard = async () => ((await (await guest.fetch("/apps/bot/api/heard/plat_caster")).json()) as { heard: string | null }).heard;
    expect(await heard()).toBeNull();
    const publisher = publish(rtmpPort, key, { seconds: 30 });
    publishers.push(publisher);
    await waitFor(async () => (await heard()) === "online", 30_000, 200);
    publisher.child.kill("SIGINT");
    await publisher.exited;
    await waitFor(async () => (await heard()) === "offline", 20_000, 200);
  }, 60_000);

  it("canopy.pages.publish shows the page: in the published pages and at /a/<app>/<page>", async () => {
    const shown = async () => (await guest.query<Array<{ appId: string; pageId: string; title: string }>>("appPages.shown", { placement: "page" })).data?.filter((page) => page.appId === "bot");
    expect(await shown()).toEqual([]);
    expect((await guest.fetch("/a/bot/home")).status).toBe(404);
    expect((await guest.fetch("/apps/bot/api/publish", { method: "POST" })).status).toBe(200);
    expect(await shown()).toEqual([expect.objectContaining({ appId: "bot", pageId: "home", title: "Bot home" })]);
    expect((await guest.fetch("/a/bot/home")).status).toBe(200);
  });
});

describe("access", () => {
  it("streams the log to the owner over /apps and refuses another member with an error ack", async () => {
    const owner = await connect("/apps", staff);
    const subscribed = (await owner.timeout(5000).emitWithAck("logs:subscribe", { appId: "swap", target: "live" })) as { data?: { entries: unknown[] } };
    expect(subscribed.data?.entries.length).toBeGreaterThan(0);
    const live = new Promise<{ appId: string; entry: { level: string; metrics?: { path: string } } }>((resolve) =>
      owner.on("log", (payload: { appId: string; entry: { level: string; metrics?: { path: string } } }) => {
        if (payload.entry.level === "metric") resolve(payload);
      }),
    );
    expect((await guest.fetch("/apps/swap/api/v")).status).toBe(200);
    expect(await live).toMatchObject({ appId: "swap", entry: { metrics: { path: "/v" } } });

    const other = await connect("/apps", member);
    const refused = (await other.timeout(5000).emitWithAck("logs:subscribe", { appId: "swap", target: "live" })) as { error?: { code: string } };
    expect(refused.error?.code).toBe("NOT_FOUND");
    const anonymous = await connect("/apps");
    expect(((await anonymous.timeout(5000).emitWithAck("logs:subscribe", { appId: "swap", target: "live" })) as { error?: { code: string } }).error?.code).toBe("UNAUTHORIZED");
    expect(((await owner.timeout(5000).emitWithAck("logs:subscribe", { appId: 5 })) as { error?: { code: string } }).error?.code).toBe("BAD_REQUEST");
  });

  it("keeps preview routes to the owner and staff", async () => {
    expect((await guest.fetch("/apps/swap/preview/api/v")).status).toBe(401);
    expect((await member.fetch("/apps/swap/preview/api/v")).status).toBe(404);
    const owner = await staff.fetch("/apps/swap/preview/api/v");
    expect(owner.status).toBe(404);
    expect(JSON.stringify(await owner.json())).toContain("preview is not running");
  });

  it("lets only staff start, stop and restart apps", async () => {
    expect((await member.mutation("appRuntime.stop", { appId: "swap" })).error?.data.code).toBe("FORBIDDEN");
    expect((await guest.mutation("appRuntime.restart", { appId: "swap" })).error?.data.code).toBe("UNAUTHORIZED");
    const stopped = await staff.mutation<{ state: string }>("appRuntime.stop", { appId: "swap", reason: "maintenance" });
    expect(stopped.data?.state).toBe("stopped");
    expect((await guest.fetch("/apps/swap/api/v")).status).toBe(503);
    const started = await staff.mutation<{ state: string }>("appRuntime.start", { appId: "swap" });
    expect(started.data?.state).toBe("running");
    expect((await guest.fetch("/apps/swap/api/v")).status).toBe(200);
    const restarted = await staff.mutation<{ state: string }>("appRuntime.restart", { appId: "swap" });
    expect(restarted.data?.state).toBe("running");
    expect(await (await guest.fetch("/apps/swap/api/v")).json()).toEqual({ v: 1 });
  });
});

describe("lifecycle", () => {
  it("swaps deployments atomically: no failed request, and requests in flight finish on the old version", async () => {
    const slow = guest.fetch("/apps/swap/api/slow").then(async (response) => ({ status: response.status, body: await response.json() }));
    let deploying = true;
    const statuses: number[] = [];
    const versions = new Set<number>();
    const hammer = (async () => {
      while (deploying) {
        const response = await guest.fetch("/apps/swap/api/v");
        statuses.push(response.status);
        versions.add(((await response.json()) as { v: number }).v);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await deploy("swap", version(2))).status).toBe(200);
    expect(await (await guest.fetch("/apps/swap/api/v")).json()).toEqual({ v: 2 });
    deploying = false;
    await hammer;
    expect(await slow).toEqual({ status: 200, body: { v: 1 } });
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect([...versions].every((v) => v === 1 || v === 2)).toBe(true);
  });

  it("suspends an app that keeps violating its limits; staff see why and it answers 503 with the reason", async () => {
    for (let i = 0; i < 3; i++) expect((await guest.fetch("/apps/looper/api/loop")).status).toBeGreaterThanOrEqual(500);
    await waitFor(async () => (await staff.query<{ state: string }>("appRuntime.status", { appId: "looper" })).data?.state === "suspended", 10_000);
    const status = await staff.query<{ state: string; reason?: string }>("appRuntime.status", { appId: "looper" });
    expect(status.data?.reason).toMatch(/Suspended after 3 limit violations.*CPU limit/);
    const response = await guest.fetch("/apps/looper/api/ok");
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/suspended.*CPU limit/i);
    expect((await member.query("appRuntime.status", { appId: "looper" })).error?.data.code).toBe("NOT_FOUND");
    // Staff start it again.
    expect((await staff.mutation<{ state: string }>("appRuntime.start", { appId: "looper" })).data?.state).toBe("running");
    expect((await guest.fetch("/apps/looper/api/ok")).status).toBe(200);
  });

  it("brings every deployed app back by itself after the worker is killed", async () => {
    const workerPid = fs
      .readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .find((entry) => {
        try {
          const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === server.process.pid && fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("worker/index.ts");
        } catch {
          return false;
        }
      });
    expect(workerPid).toBeDefined();
    process.kill(Number(workerPid), "SIGKILL");
    await waitFor(async () => (await guest.fetch("/apps/swap/api/v")).status !== 200, 10_000, 50);
    await waitFor(async () => (await guest.fetch("/apps/swap/api/v")).status === 200, 20_000, 200);
    expect(await (await guest.fetch("/apps/swap/api/v")).json()).toEqual({ v: 2 });
    expect((await guest.fetch("/apps/bot/api/user/plat_member")).status).toBe(200);
  }, 40_000);

  it("keeps the app's log and serves its deployments again after the server restarts", async () => {
    const before = await staff.query<{ seq: number; level: string; message: string }[]>("appRuntime.logs", { appId: "swap", target: "live" });
    const lastSeq = before.data!.at(-1)!.seq;
    expect(before.data!.some((entry) => entry.level === "metric")).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await server.stop("SIGTERM", { keepDatabase: true })).toBe(0);
    server = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, env: { CANOPY_ADMIN_USERNAME: "platstaff", CANOPY_ADMIN_PASSWORD: "plat-staff-password" } });
    staff = new TestClient(server.url);
    guest = new TestClient(server.url);
    expect(await staff.signIn("platstaff", "plat-staff-password")).toBe(true);
    const after = await staff.query<{ seq: number; level: string; message: string }[]>("appRuntime.logs", { appId: "swap", target: "live" });
    expect(after.data!.some((entry) => entry.seq === lastSeq && entry.message === before.data!.at(-1)!.message)).toBe(true);
    await waitFor(async () => (await guest.fetch("/apps/swap/api/v")).status === 200, 20_000, 200);
    expect(await (await guest.fetch("/apps/swap/api/v")).json()).toEqual({ v: 2 });
    const newest = await staff.query<{ seq: number }[]>("appRuntime.logs", { appId: "swap", target: "live", afterSeq: lastSeq });
    expect(newest.data!.length).toBeGreaterThan(0);
    expect(newest.data!.every((entry) => entry.seq > lastSeq)).toBe(true);
  }, 60_000);
});
