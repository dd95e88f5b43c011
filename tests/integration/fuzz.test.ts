// Hostile input against the real server: every page and route handler under app/, the custom
// server's app routes, every tRPC procedure of the router and every client event of each public
// Socket.IO namespace, all enumerated from the code, get bad percent-encoding, invalid UTF-8, NUL,
// huge numbers, deep JSON and wrong types. Nothing may answer a 5xx (a deliberate 503 aside) or
// a server-fault socket error, nor leave an event unanswered, and the server and its worker must
// survive. FUZZ_SEED=<n> replays a run.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import superjson from "superjson";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { appsEventSchemas } from "@/server/apps/events";
import { chatEventSchemas } from "@/server/chat/events";
import { appErrorCodes, type AppErrorCode } from "@/server/errors";
import { renderEventSchemas } from "@/server/render/events";
import { publicNamespaces } from "@/server/sockets/create-socket-server";
import { appRouter } from "@/server/trpc/root";
import { exampleProposal } from "../helpers/example-bundle";
import { deepArray, hostileBody, hostileQuery, hostileSegment, hostileValue, plausibleFor, seededRng, toJsonText, withHostilePart, type Rng } from "../helpers/fuzz-values";
import { TestClient } from "../helpers/http-client";
import { workerPidOf } from "../helpers/processes";
import { startServer, waitFor, type RunningServer } from "../helpers/server";

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
// FUZZ_SCALE=<n> sends n times as many cases, for a longer hunt than CI's.
const scale = Number(process.env.FUZZ_SCALE ?? 1);
const casesPerRoute = 5 * scale;
const casesPerProcedure = 4 * scale;
const casesPerEvent = 10 * scale;
const inFlight = 4;

const staffName = "fuzzstaff";
const staffPassword = "fuzz-staff-password";
const appId = "fuzzapp";
/** Real ids and names, so hostile parts often sit next to values that pass. */
const plausible = [staffName, "fuzzmember", appId, "vote", "results", "live", "preview", "1", "https://example.com/", "pages/vote.html", "app.json", "main.js"];

const eventSchemasOf = { "/chat": chatEventSchemas, "/render": renderEventSchemas, "/apps": appsEventSchemas } satisfies Record<(typeof publicNamespaces)[number], object>;

let server: RunningServer;
let staff: TestClient;
let member: TestClient;
let workerPid: number;
const failures: string[] = [];

type Exchange = { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer };

const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });

/** node:http rather than fetch, which would normalise the path (`..`, `%2e`) and refuse raw bytes. */
function send({ method, path: target, headers = {}, body }: Exchange): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port: server.port, method, path: target, agent, timeout: 20_000, headers: { ...headers, ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer within 20 s")));
    request.on("error", reject);
    request.end(body);
  });
}

/** A 503 the server composed (a service not running); a crash is never answered with one. */
const deliberate503 = (text: string) => {
  try {
    return typeof JSON.parse(text) === "object";
  } catch {
    return false;
  }
};

const isReset = (error: unknown) => /socket hang up|ECONNRESET|EPIPE/.test(String(error));

async function exchange(what: string, exchange: Exchange): Promise<void> {
  const shown = `${what}: ${exchange.method} ${exchange.path.slice(0, 160)}`;
  try {
    // A kept-alive connection may be closed by the server just as it is reused: one retry.
    const { status, text } = await send(exchange).catch((error: unknown) => (isReset(error) ? send(exchange) : Promise.reject(error)));
    if (status >= 500 && !(status === 503 && deliberate503(text))) failures.push(`${shown} → ${status} ${text.slice(0, 200)}`);
  } catch (error) {
    // A refusal sent before the body was read closes the connection under the body being written.
    if (!(isReset(error) && exchange.body)) failures.push(`${shown} → ${String(error)}`);
  }
}

/** Runs the cases with a few in flight, as concurrent clients would. */
async function runAll(cases: Array<() => Promise<void>>): Promise<void> {
  let nextCase = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (nextCase < cases.length) await cases[nextCase++]!();
  }));
}

function identity(rng: Rng): Record<string, string> {
  return rng.pick<Record<string, string>>([
    { cookie: staff.cookieHeader() },
    { cookie: member.cookieHeader() },
    {},
    { authorization: `Bearer cnp_${"x".repeat(rng.pick([1, 64, 3000]))}` },
    { cookie: "next-auth.session-token=%ff%00; __Secure-next-auth.session-token=x" },
  ]);
}

const contentTypes = ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", "application/json; charset=latin1"];

/** app/**\/route.ts and page.tsx as URL templates ("[name]" a parameter) with their methods. */
function appRoutes(): Array<{ template: string[]; methods: string[] }> {
  const root = path.resolve(import.meta.dirname, "../../app");
  const found: Array<{ template: string[]; methods: string[] }> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts" || entry.name === "page.tsx") {
        const template = path.relative(root, dir).split(path.sep).filter((segment) => segment && !/^\(.*\)$/.test(segment));
        const source = fs.readFileSync(full, "utf8");
        const methods = entry.name === "page.tsx" ? ["GET"] : ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((method) => new RegExp(`export (const|async function|function) ${method}\\b|as ${method}\\b`).test(source));
        found.push({ template, methods });
      }
    }
  };
  walk(root);
  return found;
}

/** The custom server's own routes (server/apps/app-http.ts) and Engine.IO's, which Next never sees. */
const customRoutes = [
  { template: ["apps", "[app]", "api", "[...path]"], methods: ["GET", "POST", "PUT", "DELETE"] },
  { template: ["apps", "[app]", "files", "[...path]"], methods: ["GET", "HEAD", "POST"] },
  { template: ["apps", "[app]", "preview", "api", "[...path]"], methods: ["GET", "POST"] },
  { template: ["apps", "[app]", "preview", "files", "[...path]"], methods: ["GET"] },
  { template: ["apps", appId, "api", "results"], methods: ["GET"] },
  { template: ["socket.io", ""], methods: ["GET", "POST"] },
];

function fillTemplate(template: string[], rng: Rng): string {
  const segments = template.flatMap((segment) => {
    if (/^\[\.\.\..+\]$/.test(segment)) return Array.from({ length: 1 + rng.int(3) }, () => hostileSegment(rng, plausible));
    if (/^\[.+\]$/.test(segment)) return [hostileSegment(rng, plausible)];
    return [segment];
  });
  return `/${segments.join("/")}`;
}

function routeCases(rng: Rng, routes: Array<{ template: string[]; methods: string[] }>): Array<() => Promise<void>> {
  return routes.flatMap(({ template, methods }) => {
    // One method a route does not export, which must be a 405, not a failure.
    const tried = [...methods, rng.pick(["PATCH", "PUT", "DELETE", "OPTIONS"])];
    return Array.from({ length: casesPerRoute }, () => {
      const method = rng.pick(tried);
      const withBody = method !== "GET" && method !== "HEAD";
      const target = fillTemplate(template, rng) + hostileQuery(rng);
      const headers = { ...identity(rng), ...(withBody && { "content-type": rng.pick(contentTypes) }) };
      const body = withBody ? hostileBody(rng) : undefined;
      return () => exchange("route", { method, path: target, headers, body });
    });
  });
}

type ProcedureDef = { _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[] } };

/** superjson lets a client send BigInt, Date, Map, Set, RegExp and undefined: wrong types too. */
function oddTyped(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => 2n ** 80n,
    () => new Date(8.64e15),
    () => new Map([["\u0000", hostileValue(rng)]]),
    () => new Set([hostileValue(rng)]),
    () => /(a+)+$/,
    () => undefined,
  ])();
}

/** superjson's own serializer recurses; nesting too deep for it goes as plain JSON, as a raw client could send. */
function serializeInput(input: unknown): unknown {
  try {
    return superjson.serialize(input);
  } catch {
    return { json: input };
  }
}

function procedureCases(rng: Rng): Array<() => Promise<void>> {
  const procedures = (appRouter as unknown as { _def: { procedures: Record<string, ProcedureDef> } })._def.procedures;
  return Object.entries(procedures).flatMap(([name, procedure]) =>
    Array.from({ length: casesPerProcedure }, () => {
      const { type, inputs } = procedure._def;
      const input = rng.chance(0.2) ? oddTyped(rng) : withHostilePart(plausibleFor(inputs[0], rng, plausible), rng);
      const serialized = serializeInput(input);
      const headers = identity(rng);
      const garbage = rng.chance(0.2);
      if (type === "query") {
        const text = garbage ? String(rng.pick(["%7B", "[".repeat(2000), "null", "%ff%fe"])) : encodeURIComponent(toJsonText(serialized));
        const batched = rng.chance(0.2);
        const target = batched ? `/api/trpc/${name},${name}?batch=1&input=${garbage ? text : encodeURIComponent(toJsonText({ 0: serialized, 1: serialized }))}` : `/api/trpc/${name}?input=${text}`;
        // A long query goes in a POST body instead, which tRPC refuses for queries: still a 4xx.
        return () => exchange(`trpc ${name}`, target.length > 12_000 ? { method: "POST", path: `/api/trpc/${name}`, headers, body: toJsonText(serialized) } : { method: "GET", path: target, headers });
      }
      const body = garbage ? hostileBody(rng, (value) => ({ json: value })) : toJsonText(serialized);
      return () => exchange(`trpc ${name}`, { method: "POST", path: `/api/trpc/${name}`, headers: { ...headers, "content-type": "application/json" }, body });
    }),
  );
}

const isServerFault = (code: unknown) => typeof code === "string" && code in appErrorCodes && appErrorCodes[code as AppErrorCode].http >= 500 && code !== "UNAVAILABLE";

function connect(namespace: string): Promise<Socket> {
  const socket = io(`${server.url}${namespace}`, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    // The platform's own Origin, so app-page events get past the origin check to their handlers.
    extraHeaders: { cookie: staff.cookieHeader(), origin: server.url },
  });
  socket.on("error", (error: { code?: string; event?: string; message?: string }) => {
    if (isServerFault(error?.code)) failures.push(`${namespace} error event for ${error.event}: ${error.code} ${error.message}`);
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

function eventArgs(schema: unknown, rng: Rng): unknown[] {
  switch (rng.int(8)) {
    case 0:
      return [];
    case 1:
      return [hostileValue(rng), hostileValue(rng)];
    case 2:
      return [Buffer.from([0xff, 0x00, 0xfe])];
    case 3:
      return [deepArray(2000)];
    default:
      return [withHostilePart(plausibleFor(schema, rng, plausible), rng)];
  }
}

/** Every client event of one namespace, one at a time on one connection (reopened if the server closed it). */
async function fuzzNamespace(namespace: keyof typeof eventSchemasOf, rng: Rng): Promise<void> {
  const events = Object.entries(eventSchemasOf[namespace]);
  const cases = events.flatMap(([event, schema]) => Array.from({ length: casesPerEvent }, () => ({ event, args: eventArgs(schema, rng) })));
  let socket = await connect(namespace);
  for (const { event, args } of cases) {
    if (!socket.connected) socket = await connect(namespace);
    try {
      const reply = (await socket.timeout(10_000).emitWithAck(event, ...args)) as { error?: { code?: string; message?: string } };
      if (isServerFault(reply?.error?.code)) failures.push(`${namespace} ${event} ack: ${reply.error!.code} ${reply.error!.message}`);
    } catch (error) {
      // A socket the server disconnected (oversized packet, Ting's bad login) is an answer too.
      if (socket.connected) failures.push(`${namespace} ${event}: no answer (${String(error)})`);
    }
  }
  socket.close();
}

async function deploy(body: unknown): Promise<number> {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  // No render sessions: Chromium would only add load; the render routes still run up to placement.
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: staffName, CANOPY_ADMIN_PASSWORD: staffPassword, RENDER_ENABLED: "false" } });
  staff = new TestClient(server.url);
  member = new TestClient(server.url);
  expect(await staff.signIn(staffName, staffPassword)).toBe(true);
  await member.mutation("account.signUp", { username: "fuzzmember", password: "fuzz-member-password" });
  expect(await member.signIn("fuzzmember", "fuzz-member-password")).toBe(true);
  expect((await staff.mutation("apps.create", { id: appId, name: appId })).error).toBeUndefined();
  // The worker offers the apps capability after its first heartbeat.
  await waitFor(async () => (await deploy(exampleProposal("poll"))) === 200, 30_000, 300);
  workerPid = workerPidOf(server.process.pid!)!;
  expect(workerPid).toBeGreaterThan(0);
}, 90_000);

afterAll(async () => {
  agent.destroy();
  await server?.stop();
});

it(`answers hostile input with 4xx everywhere and stays up (FUZZ_SEED=${seed})`, async () => {
  const rng = seededRng(seed);
  const routes = appRoutes();
  // A route whose methods were not found (a new way of exporting them) would be fuzzed with none.
  expect(routes.filter((route) => !route.methods.length)).toEqual([]);
  const httpCases = [...routeCases(rng, [...routes, ...customRoutes]), ...procedureCases(rng)];
  // Each namespace its own stream of cases, so their interleaving does not change what is sent.
  await Promise.all([runAll(httpCases), ...publicNamespaces.map((namespace, index) => fuzzNamespace(namespace, seededRng(seed + 1 + index)))]);

  // The worker bus refuses a connection without the shared secret, whatever it sends.
  await expect(new Promise((resolve, reject) => {
    const socket = io(`${server.url}/internal`, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { secret: "\u0000".repeat(3) } });
    socket.once("connect", () => reject(new Error("connected without the secret")));
    socket.once("connect_error", (error) => resolve(error.message));
  })).resolves.toBeTruthy();

  expect(failures, `FUZZ_SEED=${seed} replays this run`).toEqual([]);
  expect(server.logs.join("")).not.toMatch(/"message":"(uncaught exception|unhandled rejection)"/);
  // Alive, and the same processes: a crash the supervisor restarted would have a new worker pid.
  expect(server.process.exitCode).toBeNull();
  expect(workerPidOf(server.process.pid!)).toBe(workerPid);
  const status = (await (await fetch(`${server.url}/api/external/`)).json()) as { status: Record<string, string> };
  expect(status.status).toMatchObject({ api: "alive", web: "alive", worker: "alive" });
}, 120_000 * scale);
