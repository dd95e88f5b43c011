// The editor's procedures through the real server and worker: templates, ZIP export and import
// (bad archives refused with a clear error and nothing created), the preview (owner and staff
// only, restarted from the draft, its endpoints and log stream), and the save conflict the editor
// turns into a diff.
import { strToU8, zipSync } from "fflate";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../helpers/http-client";
import { startServer, waitFor, type RunningServer } from "../helpers/server";
import type { AppLogEntry } from "../../server/apps/runtime-contract";

let server: RunningServer;
let alice: TestClient;
let mallory: TestClient;

async function member(name: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  expect((await client.mutation("account.signUp", { username: name, password: "long-enough-password" })).error).toBeUndefined();
  expect(await client.signIn(name, "long-enough-password")).toBe(true);
  return client;
}

const zipBase64 = (entries: Record<string, Uint8Array>) => Buffer.from(zipSync(entries)).toString("base64");

beforeAll(async () => {
  server = await startServer();
  alice = await member("alice");
  mallory = await member("mallory");
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("templates", () => {
  it("lists four templates and creates an app from each with an app.json and a README that validate", async () => {
    const templates = await alice.query<{ id: string; name: string }[]>("editor.templates");
    expect(templates.data?.map((template) => template.id)).toEqual(["blank", "chat-bot", "page-rpc", "http-endpoints"]);
    for (const template of templates.data!) {
      const created = await alice.mutation<{ id: string }>("editor.createFromTemplate", { id: `t-${template.id}`, name: `T ${template.name}`, template: template.id });
      expect(created.error).toBeUndefined();
      const files = await alice.query<{ files: { path: string }[] }>("apps.files", { appId: `t-${template.id}` });
      expect(files.data?.files.map((file) => file.path)).toEqual(expect.arrayContaining(["app.json", "README.md"]));
      const validation = await alice.query<{ valid: boolean; issues: unknown[] }>("apps.validate", { appId: `t-${template.id}` });
      expect(validation.data).toMatchObject({ valid: true, issues: [] });
    }
  });

  it("refuses an unknown template and a taken id", async () => {
    const unknown = await alice.mutation("editor.createFromTemplate", { id: "t-unknown", name: "x", template: "nope" });
    expect(unknown.error?.data.code).toBe("BAD_REQUEST");
    const taken = await alice.mutation("editor.createFromTemplate", { id: "t-blank", name: "again", template: "blank" });
    expect(taken.error?.data.code).toBe("CONFLICT");
  });
});

describe("ZIP export and import", () => {
  it("round-trips an app through a ZIP", async () => {
    const exported = await alice.mutation<{ fileName: string; base64: string }>("editor.exportZip", { appId: "t-page-rpc" });
    expect(exported.data?.fileName).toBe("t-page-rpc.zip");
    const imported = await alice.mutation<{ id: string; name: string }>("editor.importZip", { id: "imported-page", zipBase64: exported.data!.base64 });
    expect(imported.data).toMatchObject({ id: "imported-page", name: "T Page with RPC" });
    const original = await alice.query<{ files: { path: string; sha256: string }[] }>("apps.files", { appId: "t-page-rpc" });
    const copy = await alice.query<{ files: { path: string; sha256: string }[] }>("apps.files", { appId: "imported-page" });
    expect(copy.data?.files.map(({ path, sha256 }) => ({ path, sha256 }))).toEqual(original.data?.files.map(({ path, sha256 }) => ({ path, sha256 })));
  });

  it("keeps binary files byte for byte", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const imported = await alice.mutation("editor.importZip", { id: "with-binary", zipBase64: zipBase64({ "app.json": strToU8('{"name":"bin"}'), "assets/logo.png": png }) });
    expect(imported.error).toBeUndefined();
    const file = await alice.query<{ encoding: string; content: string }>("apps.readFile", { appId: "with-binary", path: "assets/logo.png" });
    expect(file.data).toEqual(expect.objectContaining({ encoding: "base64", content: Buffer.from(png).toString("base64") }));
  });

  it("refuses bad archives with a clear error and creates nothing", async () => {
    const cases: [string, string, RegExp][] = [
      ["not-zip", Buffer.from("definitely not a zip").toString("base64"), /Not a readable ZIP/],
      ["no-manifest", zipBase64({ "src/main.ts": strToU8("1") }), /no app\.json/],
      ["traversal", zipBase64({ "app.json": strToU8("{}"), "../evil.ts": strToU8("1") }), /\.\.\/evil\.ts/],
      ["absolute", zipBase64({ "app.json": strToU8("{}"), "/etc/passwd": strToU8("1") }), /\/etc\/passwd/],
      ["too-big", zipBase64({ "app.json": strToU8("{}"), "big.txt": new Uint8Array(3 * 1024 * 1024) }), /larger than/],
    ];
    for (const [id, zip, message] of cases) {
      const result = await alice.mutation("editor.importZip", { id: `bad-${id}`, zipBase64: zip });
      expect(result.error?.data.code, id).toBe("BAD_REQUEST");
      expect(result.error?.message, id).toMatch(message);
      expect((await alice.query("apps.get", { appId: `bad-${id}` })).error?.data.code, id).toBe("NOT_FOUND");
    }
  });

  it("does not export someone else's app", async () => {
    const result = await mallory.mutation("editor.exportZip", { appId: "t-blank" });
    expect(result.error?.data.code).toBe("NOT_FOUND");
  });
});

describe("preview", () => {
  it("runs the draft privately, serves its endpoints to the owner only, streams its log and restarts with the saved draft", async () => {
    const appId = "t-http-endpoints";
    const logs: AppLogEntry[] = [];
    const socket = io(`${server.url}/apps`, { transports: ["websocket"], extraHeaders: { cookie: alice.cookieHeader() } });
    socket.on("log", (message: { entry: AppLogEntry }) => logs.push(message.entry));
    const subscribed = await socket.timeout(5000).emitWithAck("logs:subscribe", { appId, target: "preview" });
    expect(subscribed.error).toBeUndefined();

    const started = await alice.mutation<{ ok: boolean }>("editor.previewStart", { appId });
    expect(started.data).toMatchObject({ ok: true });
    expect((await alice.query<{ state: string }>("editor.previewStatus", { appId })).data?.state).toBe("running");

    const posted = await alice.fetch(`/apps/${appId}/preview/api/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "hello" }) });
    expect(posted.status).toBe(201);
    const listed = await alice.fetch(`/apps/${appId}/preview/api/notes`);
    expect(((await listed.json()) as { text: string }[]).map((note) => note.text)).toEqual(["hello"]);
    await waitFor(() => logs.some((entry) => entry.message.includes("added by alice")), 10_000);

    // Nobody else reaches the preview or controls it.
    expect((await mallory.fetch(`/apps/${appId}/preview/api/notes`)).status).toBeGreaterThanOrEqual(400);
    expect((await mallory.mutation("editor.previewStart", { appId })).error?.data.code).toBe("NOT_FOUND");
    expect((await mallory.query("editor.previewStatus", { appId })).error?.data.code).toBe("NOT_FOUND");

    // A broken save: the restart reports where, and the running preview keeps serving.
    const files = await alice.query<{ draftVersion: number }>("apps.files", { appId });
    await alice.mutation("apps.changeFiles", { appId, expectedDraftVersion: files.data!.draftVersion, changes: [{ op: "write", path: "src/notes.ts", content: "export function listNotes( {" }] });
    const broken = await alice.mutation<{ ok: boolean; step: string; reason: string }>("editor.previewStart", { appId });
    expect(broken.data).toMatchObject({ ok: false, step: "starting" });
    expect(broken.data?.reason).toMatch(/src\/notes\.ts:\d+/);
    expect((await alice.fetch(`/apps/${appId}/preview/api/notes`)).status).toBe(200);

    const invalidManifest = await alice.mutation("apps.changeFiles", { appId, changes: [{ op: "write", path: "app.json", content: '{"endpoints": 5}' }] });
    expect(invalidManifest.error).toBeUndefined();
    const invalid = await alice.mutation<{ ok: boolean; step: string; issues: { file: string }[] }>("editor.previewStart", { appId });
    expect(invalid.data).toMatchObject({ ok: false, step: "validating" });
    expect(invalid.data?.issues[0]?.file).toBe("app.json");

    expect((await alice.mutation<{ state: string }>("editor.previewStop", { appId })).data?.state).toBe("stopped");
    socket.close();
  }, 60_000);
});

describe("safe saving", () => {
  it("refuses a save over a newer draft with the newer content for the diff", async () => {
    const appId = "t-blank";
    const { data } = await alice.query<{ draftVersion: number }>("apps.files", { appId });
    const first = await alice.mutation("apps.changeFiles", { appId, expectedDraftVersion: data!.draftVersion, changes: [{ op: "write", path: "src/main.ts", content: "// tab one\n" }] });
    expect(first.error).toBeUndefined();
    const stale = await alice.mutation("apps.changeFiles", { appId, expectedDraftVersion: data!.draftVersion, changes: [{ op: "write", path: "src/main.ts", content: "// tab two\n" }] });
    expect(stale.error?.data.code).toBe("CONFLICT");
    expect((stale.error?.data as { appDetails?: { current: { path: string; content: string }[] } }).appDetails?.current).toEqual([
      expect.objectContaining({ path: "src/main.ts", content: "// tab one\n" }),
    ]);
  });
});
