// Cross-site request forgery against the real server. Every route is walked by construction: the
// write methods each app/**/route.ts exports, every tRPC mutation of the router, the custom
// server's app endpoints, a page and a path nothing serves (the guard runs before any routing, so a
// route added later is refused like these, and walked here). A write carrying the session cookie
// from another site's page is refused with 403 and changes nothing; text/plain on a JSON route is
// 415; the same request from the platform's own page, or with an API token and no cookie, goes on.
import fs from "node:fs";
import path from "node:path";
import superjson from "superjson";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/trpc/root";
import { exampleProposal } from "../helpers/example-bundle";
import { TestClient } from "../helpers/http-client";
import { startServer, waitFor, type RunningServer } from "../helpers/server";

type Target = { method: string; path: string; expectsJson: boolean };
type Refusal = "cross-site" | "media-type" | null;

const appDir = path.resolve(import.meta.dirname, "../../app");
const writeMethods = ["POST", "PUT", "PATCH", "DELETE"];
const appId = "csrf-notes";
// At run time the router lists its procedures flat, by dotted path.
const mutations = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
  .filter(([, procedure]) => procedure._def.type === "mutation")
  .map(([name]) => name);

let server: RunningServer;
let foreignOrigin: string;
let staff: TestClient;
let staffToken: string;
let bystanderCookie: string;
let bystanderToken: string;
let renderSessionId: string;
let targets: Target[];
const sockets: Socket[] = [];

/** Every write a route file exports, its dynamic segments filled in (`[trpc]` with every mutation). */
async function routeTargets(): Promise<Target[]> {
  const samples: Record<string, string[]> = { trpc: mutations, appId: [appId], id: [renderSessionId], nextauth: ["signout", "callback/credentials"], kind: ["click"] };
  const found: Target[] = [];
  for (const file of fs.readdirSync(appDir, { recursive: true, encoding: "utf8" }).filter((name) => path.basename(name) === "route.ts")) {
    const module = (await import(path.join(appDir, file))) as Record<string, unknown>;
    const segments = path.dirname(file).split(path.sep).filter((segment) => !/^\(.*\)$/.test(segment));
    const paths = segments.reduce<string[]>((prefixes, segment) => {
      const param = /^\[(?:\.\.\.)?(\w+)\]$/.exec(segment)?.[1];
      const values = param ? (samples[param] ?? ["csrf-probe"]) : [segment];
      return prefixes.flatMap((prefix) => values.map((value) => `${prefix}/${value}`));
    }, [""]);
    for (const method of writeMethods.filter((name) => typeof module[name] === "function")) {
      for (const url of paths) found.push({ method, path: url, expectsJson: !url.startsWith("/api/auth/") });
    }
  }
  // The custom server's own routes (app endpoints, preview, files), a page, and no route at all.
  for (const url of [`/apps/${appId}/api/notes`, `/apps/${appId}/preview/api/notes`, `/apps/${appId}/files/index.html`, "/", "/csrf-probe/no-route"]) {
    found.push({ method: "POST", path: url, expectsJson: false });
  }
  found.push({ method: "DELETE", path: `/apps/${appId}/api/notes/1`, expectsJson: false });
  return found;
}

/** Bodies that would do something if they got through; the rest get `{}`. */
function bodyFor(target: Target): string {
  const trpc = (input: unknown) => JSON.stringify(superjson.serialize(input));
  const bodies: Record<string, string> = {
    [`/api/apps/${appId}/deploy`]: JSON.stringify(exampleProposal("ccf-endpoints")),
    "/api/trpc/account.updateProfile": trpc({ displayName: "Forged" }),
    "/api/trpc/tokens.create": trpc({ name: "forged" }),
    "/api/trpc/render.allowHost": trpc({ host: "forged.example" }),
    "/api/trpc/apps.delete": trpc({ appId }),
    [`/apps/${appId}/api/notes`]: JSON.stringify({ text: "forged" }),
    [`/render/api/session/${renderSessionId}/load`]: JSON.stringify({ url: "/c/forged" }),
  };
  return bodies[target.path] ?? "{}";
}

/** `body: null` sends none (and so no Content-Type). */
async function send(target: Target, headers: Record<string, string>, body: string | null = bodyFor(target)): Promise<{ status: number; refusal: Refusal }> {
  const response = await fetch(server.url + target.path, { method: target.method, headers, body: body ?? undefined, redirect: "manual" });
  const text = await response.text();
  let message = "";
  try {
    message = String((JSON.parse(text) as { error?: { message?: unknown } }).error?.message ?? "");
  } catch {
    // Not the guard's JSON (a page, a redirect).
  }
  const refusal: Refusal =
    response.status === 403 && message.startsWith("Cross-site request refused") ? "cross-site" : response.status === 415 && message.startsWith("Send the body as application/json") ? "media-type" : null;
  return { status: response.status, refusal };
}

/** What the writes above would change, as staff sees it. */
async function stateDigest(): Promise<string> {
  const read = async (procedure: string, input?: unknown) => (await staff.query(procedure, input)).data;
  const sessions = (await read("render.sessions")) as { sessions: Array<{ session_id: string; current_page: string }> };
  const dashboard = (await read("streams.dashboard")) as { streamKey?: unknown } | undefined;
  const notes = await (await fetch(`${server.url}/apps/${appId}/api/notes`)).json();
  return JSON.stringify({
    me: await read("account.me"),
    tokens: ((await read("tokens.list")) as Array<{ id: string; name: string; revokedAt: unknown }>).map(({ id, name, revokedAt }) => ({ id, name, revokedAt })),
    apps: await read("apps.list", { scope: "all" }),
    deployments: await read("review.deployments", { appId }),
    allowedHosts: await read("render.allowedHosts"),
    sessions: sessions.sessions.map(({ session_id, current_page }) => ({ session_id, current_page })),
    streamKey: dashboard?.streamKey ?? null,
    users: await read("users.list"),
    notes,
  });
}

function connect(namespace: string, headers: Record<string, string>, auth: Record<string, string> = {}): Promise<Socket> {
  const socket = io(`${server.url}${namespace}`, { transports: ["websocket"], forceNew: true, reconnection: false, extraHeaders: headers, auth });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "csrf_staff", CANOPY_ADMIN_PASSWORD: "csrf-staff-password" } });
  // Another port on the same host: same-site, so the browser sends the cookie along.
  foreignOrigin = `http://127.0.0.1:${server.port + 1}`;
  staff = new TestClient(server.url);
  expect(await staff.signIn("csrf_staff", "csrf-staff-password")).toBe(true);
  staffToken = (await staff.mutation<{ token: string }>("tokens.create", { name: "csrf" })).data!.token;
  const bystander = new TestClient(server.url);
  expect((await bystander.mutation("account.signUp", { username: "csrf_bystander", password: "bystander-password" })).status).toBe(200);
  expect(await bystander.signIn("csrf_bystander", "bystander-password")).toBe(true);
  // Fixed, so the walk's sign-out answers do not log it out halfway.
  bystanderCookie = bystander.cookieHeader();
  bystanderToken = (await bystander.mutation<{ token: string }>("tokens.create", { name: "csrf" })).data!.token;

  // Writes from the platform's own pages (TestClient sends its Origin, as a browser does) work.
  expect((await staff.mutation("apps.create", { id: appId, name: "CSRF notes" })).error).toBeUndefined();
  const deploy = () => staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(exampleProposal("ccf-endpoints")) });
  // The worker offers the apps capability after its first heartbeat.
  await waitFor(async () => (await deploy()).status === 200, 60_000, 300);
  const created = await staff.fetch("/render/api/session/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ width: 320, height: 240 }) });
  expect(created.status).toBe(201);
  renderSessionId = ((await created.json()) as { session_id: string }).session_id;
  targets = await routeTargets();
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.stop();
});

describe("CSRF", () => {
  it("walks every route: route files and their methods, every tRPC mutation, the custom server", () => {
    const walked = targets.map((target) => `${target.method} ${target.path}`);
    expect(mutations.length).toBeGreaterThan(30);
    for (const expected of [`POST /api/apps/${appId}/deploy`, "POST /render/api/session/create", `DELETE /render/api/session/${renderSessionId}/close`, "POST /api/auth/signout", "POST /api/trpc/streams.rotateKey", `POST /apps/${appId}/api/notes`]) {
      expect(walked).toContain(expected);
    }
    for (const mutation of mutations) expect(walked).toContain(`POST /api/trpc/${mutation}`);
  });

  it("refuses a write with the session cookie from another site's page with 403, and changes nothing", async () => {
    const before = await stateDigest();
    const cookie = staff.cookieHeader();
    for (const target of targets) {
      const label = `${target.method} ${target.path}`;
      // A form (text/plain, urlencoded, multipart) or a fetch from another port of the host.
      expect(await send(target, { cookie, origin: foreignOrigin, "content-type": "text/plain" }), label).toMatchObject({ status: 403, refusal: "cross-site" });
      expect(await send(target, { cookie, origin: foreignOrigin, "content-type": "application/x-www-form-urlencoded" }, "a=1"), label).toMatchObject({ status: 403, refusal: "cross-site" });
      expect(await send(target, { cookie, origin: foreignOrigin, "content-type": "application/json" }), label).toMatchObject({ status: 403, refusal: "cross-site" });
      // Sandboxed frames and privacy-sensitive redirects say "null".
      expect(await send(target, { cookie, origin: "null", "content-type": "application/json" }), label).toMatchObject({ status: 403, refusal: "cross-site" });
      // Without Origin, the browser's Sec-Fetch-Site tells.
      expect(await send(target, { cookie, "sec-fetch-site": "same-site", "content-type": "application/json" }), label).toMatchObject({ status: 403, refusal: "cross-site" });
    }
    const form = new FormData();
    form.set("a", "1");
    const multipart = await fetch(`${server.url}/api/trpc/streams.rotateKey`, { method: "POST", headers: { cookie, origin: foreignOrigin }, body: form });
    expect(multipart.status).toBe(403);
    expect(await stateDigest()).toBe(before);
    // Still signed in: the forged sign-outs did nothing.
    expect((await staff.query<{ username: string }>("account.me")).data?.username).toBe("csrf_staff");
  });

  it("refuses a cross-site sign-in: no session cookie is set", async () => {
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const csrfCookie = csrf.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { cookie: csrfCookie, origin: foreignOrigin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: "csrf_staff", password: "csrf-staff-password", csrfToken, json: "true" }).toString(),
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie().some((cookie) => cookie.includes("session-token"))).toBe(false);
  });

  it("answers 415 for text/plain on a JSON route, even from the platform's own page", async () => {
    for (const target of targets.filter((candidate) => candidate.expectsJson)) {
      expect(await send(target, { cookie: bystanderCookie, origin: server.url, "content-type": "text/plain" }), `${target.method} ${target.path}`).toMatchObject({ status: 415, refusal: "media-type" });
    }
    // next-auth's forms and app endpoints take other bodies.
    for (const target of targets.filter((candidate) => !candidate.expectsJson)) {
      expect((await send(target, { cookie: bystanderCookie, origin: server.url, "content-type": "application/x-www-form-urlencoded" }, "a=1")).refusal, `${target.method} ${target.path}`).toBeNull();
    }
  });

  it("lets the same writes through from the platform's own page, and with an API token and no cookie", async () => {
    for (const target of targets) {
      const label = `${target.method} ${target.path}`;
      // `[]` is no route's valid input: the route itself answers, and nothing is done.
      expect((await send(target, { cookie: bystanderCookie, origin: server.url, "content-type": "application/json" }, "[]")).refusal, label).toBeNull();
      expect((await send(target, { cookie: bystanderCookie, "sec-fetch-site": "same-origin", "content-type": "application/json" }, "[]")).refusal, label).toBeNull();
      // Without cookies there is no ambient authority to forge: neither rule applies.
      expect((await send(target, { authorization: `Bearer ${bystanderToken}`, origin: foreignOrigin, "content-type": "text/plain" }, "[]")).refusal, label).toBeNull();
    }

    // And real ones do what they say.
    const deploymentsBefore = (await staff.query<{ deployments: unknown[] }>("review.deployments", { appId })).data!.deployments.length;
    const deploy = { method: "POST", path: `/api/apps/${appId}/deploy`, expectsJson: true };
    expect(await send(deploy, { cookie: staff.cookieHeader(), origin: server.url, "content-type": "application/json" })).toMatchObject({ status: 200, refusal: null });
    expect(await send(deploy, { authorization: `Bearer ${staffToken}`, origin: foreignOrigin, "content-type": "application/json" })).toMatchObject({ status: 200, refusal: null });
    expect((await staff.query<{ deployments: unknown[] }>("review.deployments", { appId })).data!.deployments.length).toBe(deploymentsBefore + 2);

    expect((await staff.mutation("account.updateProfile", { displayName: "Really Staff" })).status).toBe(200);
    expect((await staff.query<{ displayName: string }>("account.me")).data?.displayName).toBe("Really Staff");

    const note = { method: "POST", path: `/apps/${appId}/api/notes`, expectsJson: false };
    expect(await send(note, { cookie: staff.cookieHeader(), origin: server.url, "content-type": "application/json" }, JSON.stringify({ text: "mine" }))).toMatchObject({ status: 201 });
    expect(await send(note, { authorization: `Bearer ${staffToken}`, origin: foreignOrigin, "content-type": "application/json" }, JSON.stringify({ text: "scripted" }))).toMatchObject({ status: 201 });
    const notes = (await (await fetch(`${server.url}/apps/${appId}/api/notes`)).json()) as Array<{ text: string; author: string }>;
    expect(notes.map(({ text, author }) => ({ text, author }))).toEqual([
      { text: "mine", author: "csrf_staff" },
      { text: "scripted", author: "csrf_staff" },
    ]);

    const keepalive = { method: "POST", path: `/render/api/session/${renderSessionId}/keepalive`, expectsJson: true };
    expect(await send(keepalive, { authorization: `Bearer ${staffToken}`, origin: foreignOrigin }, null)).toMatchObject({ status: 200 });
    const close = { method: "POST", path: `/render/api/session/${renderSessionId}/close`, expectsJson: true };
    expect(await send(close, { cookie: staff.cookieHeader(), origin: server.url }, null)).toMatchObject({ status: 200 });
  });

  it("sockets: a cookie from another site's page counts for nothing; tokens and clients without Origin work", async () => {
    const cookie = staff.cookieHeader();
    const login = async (socket: Socket) => ((await socket.timeout(5000).emitWithAck("login", { username: "visitor" })) as { data: { username: string; guest: boolean } }).data;
    expect(await login(await connect("/chat", { cookie, origin: foreignOrigin }))).toMatchObject({ guest: true });
    expect(await login(await connect("/chat", { cookie, "sec-fetch-site": "same-site" }))).toMatchObject({ guest: true });
    expect(await login(await connect("/chat", { cookie, origin: server.url }))).toEqual({ username: "csrf_staff", guest: false });
    // Ting's, Open360's and Jiomosa's clients are not browsers: no Origin, and they still sign in.
    expect(await login(await connect("/chat", { cookie }))).toEqual({ username: "csrf_staff", guest: false });
    expect(await login(await connect("/chat", { origin: foreignOrigin }, { token: staffToken }))).toEqual({ username: "csrf_staff", guest: false });
    expect(await login(await connect("/chat", {}))).toMatchObject({ guest: true });

    const logs = await connect("/apps", { cookie, origin: foreignOrigin });
    expect(await logs.timeout(5000).emitWithAck("logs:subscribe", { appId, target: "live" })).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const ownLogs = await connect("/apps", { cookie, origin: server.url });
    expect(await ownLogs.timeout(5000).emitWithAck("logs:subscribe", { appId, target: "live" })).toMatchObject({ data: { entries: expect.any(Array) } });
  });
});
