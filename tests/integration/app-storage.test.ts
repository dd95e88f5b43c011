import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";

let server: RunningServer;
let owner: TestClient;
let other: TestClient;
let staff: TestClient;

const manifest = JSON.stringify({ name: "Notes", endpoints: { "/notes": { get: { js_module: "notes.ts", js_function: "list" } } }, permissions: ["kv"] }, null, 2);

async function member(name: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.mutation("account.signUp", { username: name, password: "long-enough-1" });
  expect(await client.signIn(name, "long-enough-1")).toBe(true);
  return client;
}

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "apps_staff", CANOPY_ADMIN_PASSWORD: "staff-password-1" } });
  owner = await member("app_owner");
  other = await member("app_other");
  staff = new TestClient(server.url);
  expect(await staff.signIn("apps_staff", "staff-password-1")).toBe(true);
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

describe("app drafts", () => {
  it("creates an app with its first files, each a revision, and makes the creator a developer", async () => {
    const created = await owner.mutation("apps.create", {
      id: "notes",
      name: "Notes",
      files: [
        { path: "app.json", content: manifest },
        { path: "src/notes.ts", content: "export function list() { return { body: [] }; }\n" },
        { path: "pages/logo.png", encoding: "base64", content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]).toString("base64") },
      ],
    });
    expect(created.status).toBe(200);
    const files = await owner.query<{ draftVersion: number; files: { path: string; size: number }[] }>("apps.files", { appId: "notes" });
    expect(files.data?.draftVersion).toBe(1);
    expect(files.data?.files.map((file) => file.path)).toEqual(["app.json", "pages/logo.png", "src/notes.ts"]);
    const logo = await owner.query<{ encoding: string; content: string }>("apps.readFile", { appId: "notes", path: "pages/logo.png" });
    expect(logo.data?.encoding).toBe("base64");
    const me = await owner.query<{ role: string }>("account.me");
    expect(me.data?.role).toBe("DEVELOPER");
    const valid = await owner.query<{ valid: boolean; permissions: string[] }>("apps.validate", { appId: "notes" });
    expect(valid.data).toMatchObject({ valid: true, permissions: ["kv"] });
  });

  it("refuses a taken id, a bad id and bad paths without writing anything", async () => {
    expect((await other.mutation("apps.create", { id: "notes", name: "Mine" })).status).toBe(409);
    expect((await other.mutation("apps.create", { id: "Bad Id", name: "x" })).status).toBe(400);
    const traversal = await other.mutation("apps.create", { id: "sneaky", name: "x", files: [{ path: "../etc/passwd", content: "x" }] });
    expect(traversal.status).toBe(400);
    expect((await other.query("apps.get", { appId: "sneaky" })).status).toBe(404);
  });

  it("keeps every save, delete and rename as a revision and restores any of them", async () => {
    const v2 = await owner.mutation<{ draftVersion: number }>("apps.changeFiles", {
      appId: "notes",
      expectedDraftVersion: 1,
      message: "List from KV",
      changes: [{ op: "write", path: "src/notes.ts", content: "export function list() { return { body: ['a'] }; }\n" }],
    });
    expect(v2.data?.draftVersion).toBe(2);
    const renamed = await owner.mutation<{ draftVersion: number }>("apps.changeFiles", { appId: "notes", changes: [{ op: "rename", from: "pages/logo.png", to: "assets/logo.png" }] });
    expect(renamed.data?.draftVersion).toBe(3);
    const deleted = await owner.mutation("apps.changeFiles", { appId: "notes", changes: [{ op: "delete", path: "assets/logo.png" }] });
    expect(deleted.status).toBe(200);

    const history = await owner.query<{ id: number; path: string; deleted: boolean; message: string; author: { username: string } }[]>("apps.history", { appId: "notes", path: "src/notes.ts" });
    expect(history.data?.map((revision) => revision.message)).toEqual(["List from KV", "Created the app"]);
    expect(history.data?.[0]?.author.username).toBe("app_owner");
    const first = history.data![1]!;
    const old = await owner.query<{ content: string }>("apps.readRevision", { appId: "notes", revisionId: first.id });
    expect(old.data?.content).toContain("body: []");

    const restored = await owner.mutation("apps.restoreRevision", { appId: "notes", revisionId: first.id });
    expect(restored.status).toBe(200);
    expect((await owner.query<{ content: string }>("apps.readFile", { appId: "notes", path: "src/notes.ts" })).data?.content).toContain("body: []");

    const logoHistory = await owner.query<{ id: number; deleted: boolean }[]>("apps.history", { appId: "notes", path: "assets/logo.png" });
    expect(logoHistory.data?.map((revision) => revision.deleted)).toEqual([true, false]);
    const undelete = await owner.mutation("apps.restoreRevision", { appId: "notes", revisionId: logoHistory.data![1]!.id });
    expect(undelete.status).toBe(200);
    expect((await owner.query("apps.readFile", { appId: "notes", path: "assets/logo.png" })).status).toBe(200);
  });

  it("refuses a save over a newer draft with the newer content, and changes nothing", async () => {
    const before = await owner.query<{ draftVersion: number }>("apps.files", { appId: "notes" });
    const stale = await owner.mutation<unknown>("apps.changeFiles", {
      appId: "notes",
      expectedDraftVersion: 1,
      changes: [{ op: "write", path: "src/notes.ts", content: "stale" }],
    });
    expect(stale.status).toBe(409);
    const details = (stale.error?.data as unknown as { appDetails: { draftVersion: number; current: { path: string; content: string }[] } }).appDetails;
    expect(details.draftVersion).toBe(before.data?.draftVersion);
    expect(details.current[0]?.content).toContain("body: []");
    const after = await owner.query<{ draftVersion: number }>("apps.files", { appId: "notes" });
    expect(after.data?.draftVersion).toBe(before.data?.draftVersion);
  });

  it("names the file, line and field of validation problems", async () => {
    await owner.mutation("apps.changeFiles", { appId: "notes", changes: [{ op: "write", path: "app.json", content: '{\n  "name": "Notes",\n  "endpoints": {\n    "/x": { "get": { "js_module": "missing.ts", "js_function": "f" } }\n  },\n  "permissions": ["root"]\n}\n' }] });
    const result = await owner.query<{ valid: boolean; issues: { file: string; line?: number; field?: string; message: string }[] }>("apps.validate", { appId: "notes" });
    expect(result.data?.valid).toBe(false);
    expect(result.data?.issues).toContainEqual(expect.objectContaining({ file: "app.json", field: "permissions.0", line: 6 }));
    await owner.mutation("apps.changeFiles", { appId: "notes", changes: [{ op: "write", path: "app.json", content: '{\n  "name": "Notes",\n  oops\n}' }] });
    const broken = await owner.query<{ issues: { file: string; line?: number; message: string }[] }>("apps.validate", { appId: "notes" });
    expect(broken.data?.issues[0]).toMatchObject({ file: "app.json", line: 3 });
    expect(broken.data?.issues[0]?.message).toMatch(/Invalid JSON/);
  });

  it("hides an app from other members, shows it to staff, and deletes only with confirmation", async () => {
    expect((await other.query("apps.files", { appId: "notes" })).status).toBe(404);
    expect((await other.mutation("apps.changeFiles", { appId: "notes", changes: [{ op: "delete", path: "app.json" }] })).status).toBe(404);
    expect((await other.query("apps.list", { scope: "all" })).status).toBe(403);
    const all = await staff.query<{ id: string }[]>("apps.list", { scope: "all" });
    expect(all.data?.map((app) => app.id)).toContain("notes");
    expect((await staff.query("apps.files", { appId: "notes" })).status).toBe(200);
    expect((await owner.mutation("apps.delete", { appId: "notes", confirmId: "nope" })).status).toBe(400);
    expect((await owner.mutation("apps.delete", { appId: "notes", confirmId: "notes" })).status).toBe(200);
    expect((await owner.query("apps.get", { appId: "notes" })).status).toBe(404);
  });
});
