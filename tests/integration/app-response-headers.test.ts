// An app's endpoint answers on the platform's origin, through the real server, worker and app
// host: headers that would act for the platform never reach the client (each drop is in the
// app's log), the allow-listed ones do, the platform's security headers cannot be overridden, and
// redirects and CORS work only inside the app or for the origins app.json declares.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";

let server: RunningServer;
let staff: TestClient;
let guest: TestClient;

const endpoint = (name: string, authn_policies: string[] = ["no_auth"]) => ({ get: { js_module: "app.js", js_function: name, authn_policies, mode: "readonly" } });

function proposal(metadata: Record<string, unknown>, module: string) {
  return { actions: [{ name: "set_js_app", args: { bundle: { metadata, modules: [{ name: "app.js", module }], files: [] } } }] };
}

/** Each would act for the platform's origin (or is the platform's to set). */
const forbidden: Record<string, string> = {
  location: "https://evil.example/phish",
  refresh: "0; url=https://evil.example/",
  link: "<https://evil.example/x.js>; rel=preload; as=script",
  "access-control-allow-origin": "https://evil.example",
  "access-control-allow-credentials": "true",
  "access-control-allow-headers": "authorization",
  "x-content-type-options": "none",
  "content-security-policy": "default-src *",
  "set-cookie": "session=stolen; Path=/",
  "strict-transport-security": "max-age=0",
  "www-authenticate": 'Basic realm="Canopy sign-in"',
  "content-disposition": "attachment; filename=invoice.exe",
  "x-frame-options": "ALLOWALL",
  "cross-origin-opener-policy": "unsafe-none",
  "clear-site-data": '"cookies"',
};
const allowed: Record<string, string> = {
  "content-type": "text/csv; charset=utf-8",
  "cache-control": "public, max-age=60",
  etag: '"v1"',
  "last-modified": "Tue, 01 Dec 2026 10:00:00 GMT",
  "content-language": "fr",
  vary: "accept-language",
  "x-app-trace": "abc123",
};

const headersApp = proposal(
  {
    redirects: ["https://partner.example"],
    cors: ["https://partner.example"],
    endpoints: {
      "/headers": endpoint("headers"),
      "/redirect": endpoint("redirect"),
      "/cors": endpoint("cors"),
      "/me": endpoint("me", ["user"]),
    },
  },
  `const forbidden = ${JSON.stringify(forbidden)};
  const allowed = ${JSON.stringify(allowed)};
  const param = (request, name) => new URLSearchParams(request.query).get(name);
  export function headers() { return { headers: { ...forbidden, ...allowed }, body: "a,b" }; }
  export function redirect(request) { return { statusCode: 302, headers: { location: param(request, "to") } }; }
  const corsHeaders = (origin) => ({ "access-control-allow-origin": origin, "access-control-allow-credentials": "true", "access-control-expose-headers": "x-app-trace", "x-app-trace": "t", vary: "origin" });
  export function cors(request) { return { headers: corsHeaders(param(request, "origin")), body: { ok: true } }; }
  export function me(request) { return { headers: corsHeaders("https://partner.example"), body: { user: request.caller.username } }; }`,
);

async function deploy(appId: string, body: unknown) {
  const response = await staff.fetch(`/api/apps/${appId}/deploy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { ok: boolean; reason?: string } };
}

async function locationFor(to: string): Promise<string | null> {
  const response = await guest.fetch(`/apps/hdr/api/redirect?to=${encodeURIComponent(to)}`);
  expect(response.status).toBe(302);
  return response.headers.get("location");
}

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "hdrstaff", CANOPY_ADMIN_PASSWORD: "headers-staff-password", RENDER_ENABLED: "false" } });
  staff = new TestClient(server.url);
  guest = new TestClient(server.url);
  expect(await staff.signIn("hdrstaff", "headers-staff-password")).toBe(true);
  for (const id of ["hdr", "hdr-bad"]) expect((await staff.mutation("apps.create", { id, name: id })).error).toBeUndefined();
  // The worker registers its apps capability with its first heartbeat.
  await waitFor(async () => (await deploy("hdr", headersApp)).status === 200, 20_000, 200);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("an endpoint's response headers", () => {
  it("never pass one that acts for the platform, pass the allow-listed ones, and keep the platform's own", async () => {
    const response = await guest.fetch("/apps/hdr/api/headers");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("a,b");
    for (const [name, value] of Object.entries(allowed)) expect({ name, value: response.headers.get(name) }).toEqual({ name, value });
    const reached = Object.keys(forbidden).filter((name) => !["x-content-type-options", "content-security-policy"].includes(name) && response.headers.get(name) !== null);
    expect(reached).toEqual([]);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
  });

  it("writes each dropped header to the app's log", async () => {
    let messages = "";
    await waitFor(async () => {
      const logs = await staff.query<{ level: string; message: string }[]>("appRuntime.logs", { appId: "hdr", target: "live", limit: 500 });
      messages = logs.data!.filter((entry) => entry.level === "warn").map((entry) => entry.message).join("\n");
      return Object.keys(forbidden).every((name) => messages.includes(`"${name}" dropped`));
    }, 5000).catch(() => undefined);
    for (const name of Object.keys(forbidden)) expect(messages).toContain(`Response header "${name}" dropped`);
    expect(messages).toContain("https://evil.example is not in app.json's redirects");
    expect(messages).not.toContain("x-app-trace");
  });

  it("redirect inside the app, or to an origin app.json declares, and nowhere else", async () => {
    // A path is the app's own, as request.path is; its files and pages keep their platform paths.
    expect(await locationFor("/notes/1?x=2")).toBe("/apps/hdr/api/notes/1?x=2");
    expect(await locationFor("../files/index.html")).toBe("/apps/hdr/files/index.html");
    expect(await locationFor("/a/hdr/main")).toBe("/a/hdr/main");
    expect(await locationFor("https://partner.example/callback?code=1")).toBe("https://partner.example/callback?code=1");
    for (const escape of ["https://evil.example/", "//evil.example/x", "\\\\evil.example/x", "https://partner.example.evil.example/", "http://partner.example/", "javascript:alert(1)", "/../../evil", "../../other-app/api/x"]) {
      expect({ escape, location: await locationFor(escape) }).toEqual({ escape, location: null });
    }
    // Backslashes and dot segments are resolved before the browser sees them.
    expect(await locationFor("/\\evil.example/x")).toBe("/apps/hdr/api//evil.example/x");
  });

  it("answer CORS for the origins app.json declares, never with credentials", async () => {
    const declared = await guest.fetch(`/apps/hdr/api/cors?origin=${encodeURIComponent("https://partner.example")}`);
    expect(declared.headers.get("access-control-allow-origin")).toBe("https://partner.example");
    expect(declared.headers.get("access-control-expose-headers")).toBe("x-app-trace");
    expect(declared.headers.get("access-control-allow-credentials")).toBeNull();
    for (const origin of ["https://evil.example", "*", "null"]) {
      const refused = await guest.fetch(`/apps/hdr/api/cors?origin=${encodeURIComponent(origin)}`);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
      expect(refused.headers.get("access-control-expose-headers")).toBeNull();
      expect(refused.headers.get("x-app-trace")).toBe("t");
    }
    // An endpoint that sees the caller: a declared origin may read it, never with the caller's cookies.
    const me = await staff.fetch("/apps/hdr/api/me");
    expect(await me.json()).toEqual({ user: "hdrstaff" });
    expect(me.headers.get("access-control-allow-origin")).toBe("https://partner.example");
    expect(me.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("refuses manifests whose redirects or cors are not plain https origins", async () => {
    for (const metadata of [{ redirects: ["http://partner.example"] }, { redirects: ["https://*.example.com"] }, { redirects: ["https://partner.example/path"] }, { cors: ["https://partner.example:443"] }, { cors: ["null"] }]) {
      const result = await deploy("hdr-bad", proposal({ ...metadata, endpoints: { "/x": endpoint("x") } }, "export function x() { return {}; }"));
      expect({ metadata, status: result.status }).toEqual({ metadata, status: 400 });
      expect(result.body.reason).toMatch(/redirects|cors/);
    }
  });
});
