// Review and deployment against the real server, worker and database: every transition of the
// constitution and its rules, the deploy through the runtime, rollback, operations, the audit
// log, live notifications and the CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Socket } from "socket.io-client";
import { connectNamespace } from "../helpers/connect-namespace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greeterFiles } from "../fixtures/greeter-app";
import { startServer, type RunningServer } from "../helpers/server";
import { runCommand } from "../helpers/run-command";
import { TestClient } from "../helpers/http-client";

type Proposal = { id: string; number: number; state: string; stateReason: string | null; deploymentId: string | null; deployStep: string | null; supersededById: string | null; contentHash: string };

let server: RunningServer;
let developer: TestClient;
let otherDeveloper: TestClient;
let viewer: TestClient;
let staffA: TestClient;
let staffB: TestClient;
let staffC: TestClient;
const sockets: Socket[] = [];

const password = "long-enough-1";
async function member(name: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.mutation("account.signUp", { username: name, password });
  expect(await client.signIn(name, password)).toBe(true);
  return client;
}


async function writeDraft(client: TestClient, appId: string, files: { path: string; content: string }[]) {
  const result = await client.mutation("apps.changeFiles", { appId, changes: files.map((file) => ({ op: "write", ...file })) });
  expect(result.status).toBe(200);
}

async function submitDraft(client: TestClient, appId: string, title: string) {
  const result = await client.mutation<Proposal>("review.submitDraft", { appId, title, changelog: `Changes: ${title}` });
  expect(result.error?.message).toBeUndefined();
  return result.data!;
}

async function proposal(id: string) {
  return (await staffA.query<Proposal & { approvals: number; rejections: number; checks: { id: string; status: string; details: string[] }[]; diff: { path: string; status: string }[]; readme: string | null; permissionChanges: { added: string[] }; permissionScopes: { permission: string; scope: string }[]; declaredOrigins: { declaration: string; origins: string[]; added: string[]; scope: string }[] }>("review.get", { proposalId: id })).data!;
}

async function hello(appId: string): Promise<string | undefined> {
  const response = await fetch(`${server.url}/apps/${appId}/api/hello`);
  if (!response.ok) return undefined;
  return ((await response.json()) as { greeting: string }).greeting;
}

async function connectApps(client: TestClient): Promise<Socket> {
  const socket = await connectNamespace(server.url, "/apps", client.cookieHeader());
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  // Two approvals, so double votes and concurrency can be seen; the default of 1 is covered in the e2e run.
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "review_admin", CANOPY_ADMIN_PASSWORD: "staff-password-1", REVIEW_APPROVALS: "2" } });
  staffA = new TestClient(server.url);
  expect(await staffA.signIn("review_admin", "staff-password-1")).toBe(true);
  developer = await member("rv_dev");
  otherDeveloper = await member("rv_other");
  viewer = await member("rv_viewer");
  staffB = await member("rv_staff_b");
  staffC = await member("rv_staff_c");
  for (const name of ["rv_staff_b", "rv_staff_c"]) expect((await staffA.mutation("users.setRole", { username: name, role: "STAFF" })).status).toBe(200);
  expect((await developer.mutation("apps.create", { id: "greeter", name: "Greeter", files: greeterFiles("v1") })).status).toBe(200);
  expect((await otherDeveloper.mutation("apps.create", { id: "other-app", name: "Other", files: greeterFiles("o1") })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  expect(await server.stop()).toBe(0);
});

describe("proposals", () => {
  let first: Proposal;

  it("a developer submits the draft; staff see it with checks, diff, README and permissions", async () => {
    first = await submitDraft(developer, "greeter", "First version");
    expect(first.state).toBe("OPEN");
    const open = await staffA.query<{ id: string }[]>("review.list", { state: "OPEN" });
    expect(open.data?.map((item) => item.id)).toContain(first.id);
    const detail = await proposal(first.id);
    expect(detail.checks.find((check) => check.id === "validation")?.status).toBe("pass");
    expect(detail.checks.find((check) => check.id === "permissions")?.details).toContain("asks for new permission: kv");
    expect(detail.permissionChanges.added).toEqual(["kv"]);
    // The reviewer reads what each permission lets the app do.
    expect(detail.permissionScopes).toEqual([{ permission: "kv", scope: expect.stringContaining("stores its own data") }]);
    expect(detail.declaredOrigins).toEqual([]);
    expect(detail.diff.map((file) => `${file.status} ${file.path}`)).toContain("added src/hello.js");
    expect(detail.readme).toContain("Says hello (v1)");
    // The private preview runs the proposed snapshot for the author and staff only.
    const preview = await staffA.mutation<{ ok: boolean }>("review.preview", { proposalId: first.id });
    expect(preview.data?.ok, JSON.stringify(preview)).toBe(true);
    const previewed = await staffA.fetch("/apps/greeter/preview/api/hello");
    const greeting = (await previewed.json()) as { greeting?: string };
    expect(greeting.greeting, `${previewed.status} ${JSON.stringify(greeting)}`).toBe("hello v1");
    expect((await fetch(`${server.url}/apps/greeter/preview/api/hello`)).status).toBe(401);
    expect(await hello("greeter")).toBeUndefined();
    // Developers see only their own.
    expect((await otherDeveloper.query("review.get", { proposalId: first.id })).status).toBe(404);
    expect((await otherDeveloper.query<{ id: string }[]>("review.list", {})).data?.map((item) => item.id)).not.toContain(first.id);
  });

  it("refuses bad input and changes nothing", async () => {
    const before = (await staffA.query<unknown[]>("review.list", { limit: 200 })).data!.length;
    expect((await developer.mutation("review.submitDraft", { appId: "greeter", title: "" })).status).toBe(400);
    expect((await developer.mutation("review.submitDraft", { appId: "other-app", title: "Not mine" })).status).toBe(404);
    expect((await developer.mutation("review.submitDraft", { appId: "NOPE!", title: "x" })).status).toBe(400);
    expect((await viewer.mutation("review.submitDraft", { appId: "greeter", title: "x" })).status).toBe(403);
    const notCcf = await developer.mutation("review.submitCcf", { appId: "greeter", title: "x", proposal: { actions: [{ name: "transfer_funds" }] } });
    expect(notCcf.status).toBe(400);
    const brokenBundle = await developer.mutation("review.submitCcf", {
      appId: "greeter",
      title: "x",
      proposal: { actions: [{ name: "set_js_app", args: { bundle: { metadata: { endpoints: { "/a": { get: { js_module: "missing.js", js_function: "a" } } } }, modules: [] } } }] },
    });
    expect(brokenBundle.status).toBe(400);
    expect(brokenBundle.error?.message).toContain("missing.js");
    expect((await developer.mutation("review.vote", { proposalId: first.id, approve: true })).status).toBe(403);
    expect((await staffA.mutation("review.vote", { proposalId: "nope", approve: true })).status).toBe(404);
    expect((await staffA.query("review.audit", { action: "not.an.action" })).status).toBe(400);
    expect((await staffA.query<unknown[]>("review.list", { limit: 200 })).data!.length).toBe(before);
    expect((await proposal(first.id)).state).toBe("OPEN");
  });

  it("non-staff cannot vote; a double vote counts once; the second approver's vote accepts and deploys", async () => {
    expect((await developer.mutation("review.vote", { proposalId: first.id, approve: true })).status).toBe(403);
    expect((await viewer.mutation("review.vote", { proposalId: first.id, approve: true })).status).toBe(403);
    expect((await staffA.mutation("review.vote", { proposalId: first.id, approve: true })).status).toBe(200);
    expect((await staffA.mutation("review.vote", { proposalId: first.id, approve: true })).status).toBe(200);
    const afterDouble = await proposal(first.id);
    expect(afterDouble.approvals).toBe(1);
    expect(afterDouble.state).toBe("OPEN");

    const authorSocket = await connectApps(developer);
    const notified = new Promise<{ state: string; proposalId?: string }>((resolve) =>
      authorSocket.on("notification", (event: { state: string; proposalId?: string }) => {
        if (event.state === "ACCEPTED") resolve(event);
      }),
    );
    const steps: string[] = [];
    authorSocket.on("proposal:progress", (event: { step: string }) => steps.push(event.step));

    const accepted = await staffB.mutation<Proposal>("review.vote", { proposalId: first.id, approve: true });
    expect(accepted.data?.state).toBe("ACCEPTED");
    expect(accepted.data?.deployStep).toBe("switched");
    expect(accepted.data?.deploymentId).toBeTruthy();
    expect((await notified).proposalId).toBe(first.id);
    expect(steps[0]).toBe("validating");
    expect(steps).toContain("switched");
    expect(await hello("greeter")).toBe("hello v1");
    // Decided proposals take no more votes or withdrawals.
    expect((await staffC.mutation("review.vote", { proposalId: first.id, approve: false })).status).toBe(409);
    expect((await developer.mutation("review.withdraw", { proposalId: first.id })).status).toBe(409);
  });

  it("the author cannot approve their own proposal, even as staff", async () => {
    expect((await staffA.mutation("apps.create", { id: "staff-app", name: "Staff app", files: greeterFiles("s1") })).status).toBe(200);
    const own = await submitDraft(staffA, "staff-app", "Mine");
    const vote = await staffA.mutation("review.vote", { proposalId: own.id, approve: true });
    expect(vote.status).toBe(403);
    expect(vote.error?.message).toMatch(/own proposal/);
    expect((await proposal(own.id)).approvals).toBe(0);
  });

  it("two concurrent accepting votes deploy once", async () => {
    await writeDraft(developer, "greeter", greeterFiles("v2"));
    const second = await submitDraft(developer, "greeter", "Second version");
    const before = (await staffA.query<{ deployments: unknown[] }>("review.deployments", { appId: "greeter" })).data!.deployments.length;
    expect((await staffA.mutation("review.vote", { proposalId: second.id, approve: true })).status).toBe(200);
    const [b, c] = await Promise.all([
      staffB.mutation<Proposal>("review.vote", { proposalId: second.id, approve: true }),
      staffC.mutation<Proposal>("review.vote", { proposalId: second.id, approve: true }),
    ]);
    // Whichever vote comes second either sees the proposal still Open (its claim loses) or already
    // Accepted (409); either way exactly one deployment is made.
    expect([b.status, c.status]).toContain(200);
    for (const status of [b.status, c.status]) expect([200, 409]).toContain(status);
    const after = (await staffA.query<{ deployments: unknown[] }>("review.deployments", { appId: "greeter" })).data!.deployments.length;
    expect(after).toBe(before + 1);
    const audit = await staffA.query<{ entries: { action: string }[] }>("review.audit", { proposalId: second.id, action: "proposal.deployed" });
    expect(audit.data?.entries).toHaveLength(1);
    expect(await hello("greeter")).toBe("hello v2");
  });

  it("a newer proposal drops the older one, which then takes no votes", async () => {
    await writeDraft(developer, "greeter", greeterFiles("v3"));
    const older = await submitDraft(developer, "greeter", "Third, first try");
    const newer = await submitDraft(developer, "greeter", "Third, second try");
    const dropped = await proposal(older.id);
    expect(dropped.state).toBe("DROPPED");
    expect(dropped.supersededById).toBe(newer.id);
    expect(dropped.stateReason).toContain(`#${newer.number}`);
    expect((await staffA.mutation("review.vote", { proposalId: older.id, approve: true })).status).toBe(409);
    expect((await proposal(newer.id)).state).toBe("OPEN");
  });

  it("only the author withdraws, once", async () => {
    const mine = await submitDraft(developer, "greeter", "To withdraw");
    expect((await otherDeveloper.mutation("review.withdraw", { proposalId: mine.id })).status).toBe(403);
    expect((await staffA.mutation("review.withdraw", { proposalId: mine.id })).status).toBe(403);
    const withdrawn = await developer.mutation<Proposal>("review.withdraw", { proposalId: mine.id });
    expect(withdrawn.data?.state).toBe("WITHDRAWN");
    expect((await developer.mutation("review.withdraw", { proposalId: mine.id })).status).toBe(409);
    expect((await staffA.mutation("review.vote", { proposalId: mine.id, approve: true })).status).toBe(409);
  });

  it("shows the reviewer the other sites app.json declares and what users:read-roles reads, new ones marked", async () => {
    const files = greeterFiles("v3", { permissions: ["kv", "users", "users:read-roles"] });
    const manifest = JSON.parse(files[0]!.content) as Record<string, unknown>;
    files[0] = { path: "app.json", content: JSON.stringify({ ...manifest, redirects: ["https://partner.example"], cors: ["*"], csp: { "img-src": ["https://images.example.com"] } }) };
    await writeDraft(developer, "greeter", files);
    const declaring = await submitDraft(developer, "greeter", "Other sites");
    const detail = await proposal(declaring.id);
    expect(detail.declaredOrigins).toEqual([
      { declaration: "redirects", origins: ["https://partner.example"], added: ["https://partner.example"], scope: expect.stringContaining("send visitors on to these sites") },
      { declaration: "cors", origins: ["*"], added: ["*"], scope: expect.stringContaining("any site may read Greeter's endpoint responses") },
      { declaration: "csp img-src", origins: ["https://images.example.com"], added: ["https://images.example.com"], scope: expect.stringContaining("load images") },
    ]);
    expect(detail.permissionChanges.added).toEqual(["users", "users:read-roles"]);
    expect(detail.permissionScopes.find((entry) => entry.permission === "users:read-roles")?.scope).toContain("role (member, developer or staff)");
    expect(detail.checks.find((check) => check.id === "origins")).toMatchObject({ status: "warn", details: ["redirects: new https://partner.example", "cors: new *", "csp img-src: new https://images.example.com"] });
    expect((await developer.mutation("review.withdraw", { proposalId: declaring.id })).status).toBe(200);
    await writeDraft(developer, "greeter", greeterFiles("v3"));
  });

  it("enough rejections reject; comments from the author and staff, not from others", async () => {
    const rejected = await submitDraft(developer, "greeter", "To reject");
    expect((await developer.mutation("review.comment", { proposalId: rejected.id, body: "Please look" })).status).toBe(200);
    expect((await staffA.mutation("review.comment", { proposalId: rejected.id, body: "Needs work", path: "src/hello.js" })).status).toBe(200);
    expect((await otherDeveloper.mutation("review.comment", { proposalId: rejected.id, body: "drive-by" })).status).toBe(404);
    expect((await staffA.mutation("review.comment", { proposalId: rejected.id, body: "   " })).status).toBe(400);
    await staffA.mutation("review.vote", { proposalId: rejected.id, approve: false });
    expect((await proposal(rejected.id)).state).toBe("OPEN");
    const result = await staffB.mutation<Proposal>("review.vote", { proposalId: rejected.id, approve: false });
    expect(result.data?.state).toBe("REJECTED");
    expect((await staffC.mutation("review.vote", { proposalId: rejected.id, approve: true })).status).toBe(409);
  });

  it("a failing deploy marks the proposal Failed with the reason and keeps the previous version running", async () => {
    await writeDraft(developer, "greeter", greeterFiles("broken", { module: "export function hello( { return 1; }\n" }));
    const broken = await submitDraft(developer, "greeter", "Broken");
    // The preview runs the proposal's own snapshot, even after the draft moved on.
    expect((await staffA.mutation<{ ok: boolean }>("review.preview", { proposalId: first.id })).data?.ok).toBe(true);
    expect(((await (await staffA.fetch("/apps/greeter/preview/api/hello")).json()) as { greeting: string }).greeting).toBe("hello v1");
    await staffA.mutation("review.vote", { proposalId: broken.id, approve: true });
    const result = await staffB.mutation<Proposal>("review.vote", { proposalId: broken.id, approve: true });
    expect(result.data?.state).toBe("FAILED");
    expect(result.data?.stateReason).toBeTruthy();
    expect(await hello("greeter")).toBe("hello v2");
    const notifications = await developer.query<{ items: { state: string; proposalId: string }[] }>("review.notifications", {});
    expect(notifications.data?.items.some((item) => item.state === "FAILED" && item.proposalId === broken.id)).toBe(true);
  });

  it("exports a proposal in CCF's set_js_app form and imports it back", async () => {
    const exported = await developer.query<{ actions: { name: string; args: { bundle: { modules: { name: string }[] } } }[] }>("review.exportCcf", { proposalId: first.id });
    expect(exported.data?.actions[0]?.name).toBe("set_js_app");
    expect(exported.data?.actions[0]?.args.bundle.modules.map((module) => module.name)).toEqual(["hello.js"]);
    const imported = await developer.mutation<Proposal>("review.submitCcf", { appId: "greeter", title: "Re-import v1", proposal: exported.data });
    expect(imported.data?.contentHash).toBe(first.contentHash);
    expect((await developer.mutation("review.withdraw", { proposalId: imported.data!.id })).status).toBe(200);
  });
});

describe("operations", () => {
  it("staff roll back to an earlier deployment in one action, recorded like a proposal", async () => {
    const { deployments } = (await staffA.query<{ deployments: { id: string; number: number }[] }>("review.deployments", { appId: "greeter" })).data!;
    const firstDeployment = deployments.find((deployment) => deployment.number === 1)!;
    expect((await developer.mutation("review.rollback", { appId: "greeter", deploymentId: firstDeployment.id })).status).toBe(403);
    const rolledBack = await staffA.mutation<Proposal & { kind: string }>("review.rollback", { appId: "greeter", deploymentId: firstDeployment.id, reason: "v2 misbehaves" });
    expect(rolledBack.data).toMatchObject({ kind: "ROLLBACK", state: "ACCEPTED", deployStep: "switched" });
    expect(await hello("greeter")).toBe("hello v1");
    const audit = await staffA.query<{ entries: { action: string; bundleHash: string; actorName: string }[] }>("review.audit", { appId: "greeter", action: "app.rolled-back" });
    expect(audit.data?.entries[0]).toMatchObject({ actorName: "review_admin", bundleHash: rolledBack.data?.contentHash });
    expect((await staffA.mutation("review.rollback", { appId: "greeter", deploymentId: "nope" })).status).toBe(404);
  });

  it("staff stop and start apps and see their resource use; each action is audited", async () => {
    expect((await developer.mutation("appRuntime.stop", { appId: "greeter" })).status).toBe(403);
    const stopped = await staffA.mutation<{ state: string }>("appRuntime.stop", { appId: "greeter", reason: "maintenance" });
    expect(stopped.data?.state).toBe("stopped");
    expect((await fetch(`${server.url}/apps/greeter/api/hello`)).ok).toBe(false);
    const started = await staffA.mutation<{ state: string }>("appRuntime.start", { appId: "greeter" });
    expect(started.data?.state).toBe("running");
    expect(await hello("greeter")).toBe("hello v1");
    const apps = await staffA.query<{ id: string; status: { state: string; violations: number } }[]>("review.apps");
    expect(apps.data?.find((app) => app.id === "greeter")?.status).toMatchObject({ state: "running", violations: 0 });
    const audit = await staffA.query<{ entries: { action: string }[] }>("review.audit", { appId: "greeter", actor: "review_admin" });
    expect(audit.data?.entries.map((entry) => entry.action).slice(0, 2)).toEqual(["app.started", "app.stopped"]);
    expect((await developer.query("review.audit", {})).status).toBe(403);
  });

  it("a staff deploy through the API is recorded and audited like an accepted proposal", async () => {
    const exported = (await staffA.query("review.exportCcf", { proposalId: (await staffA.query<{ id: string; title: string }[]>("review.list", { appId: "greeter", state: "ACCEPTED" })).data!.find((item) => item.title === "Second version")!.id })).data;
    const response = await staffA.fetch("/api/apps/greeter/deploy", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(exported) });
    const body = (await response.json()) as { ok: boolean; proposalId: string; contentHash: string };
    expect(response.status).toBe(200);
    expect(body.ok).toBe(true);
    expect(await hello("greeter")).toBe("hello v2");
    const record = await proposal(body.proposalId);
    expect(record).toMatchObject({ state: "ACCEPTED", deployStep: "switched" });
    const audit = await staffA.query<{ entries: { action: string; bundleHash: string }[] }>("review.audit", { proposalId: body.proposalId });
    expect(audit.data?.entries.map((entry) => entry.action)).toEqual(["proposal.deployed", "proposal.accepted", "proposal.submitted"]);
    expect(audit.data?.entries[0]?.bundleHash).toBe(body.contentHash);
    expect((await developer.fetch("/api/apps/greeter/deploy", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(exported) })).status).toBe(403);
  });

  it("deleting an app drops its open proposals", async () => {
    const pending = await submitDraft(otherDeveloper, "other-app", "Pending");
    expect((await otherDeveloper.mutation("apps.delete", { appId: "other-app", confirmId: "other-app" })).status).toBe(200);
    const dropped = (await otherDeveloper.query<{ id: string; state: string; stateReason: string }[]>("review.list", { mine: true })).data!.find((item) => item.id === pending.id);
    expect(dropped).toMatchObject({ state: "DROPPED", stateReason: "the app was deleted" });
    expect((await staffA.mutation("review.vote", { proposalId: pending.id, approve: true })).status).toBe(409);
    const audit = await staffA.query<{ entries: { actorName: string }[] }>("review.audit", { appId: "other-app", action: "app.deleted" });
    expect(audit.data?.entries[0]?.actorName).toBe("rv_other");
  });

  it("notifications list and mark read", async () => {
    const list = await developer.query<{ items: { id: number }[]; unread: number }>("review.notifications", {});
    expect(list.data!.unread).toBeGreaterThan(0);
    expect((await developer.mutation("review.markRead", { ids: [] })).status).toBe(400);
    expect((await developer.mutation("review.markRead", {})).status).toBe(200);
    expect((await developer.query<{ unread: number }>("review.notifications", {})).data?.unread).toBe(0);
  });
});

describe("CLI", () => {
  it("bundles a folder and proposes it with an API token it never prints", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-cli-app-"));
    for (const file of greeterFiles("cli")) {
      fs.mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, file.path), file.content);
    }
    const bundled = await runCommand("npx", ["canopy", "bundle", dir]);
    expect(bundled.status).toBe(0);
    expect(JSON.parse(bundled.stdout).actions[0].name).toBe("set_js_app");

    const token = (await developer.mutation<{ token: string }>("tokens.create", { name: "cli" })).data!.token;
    const proposed = await runCommand("npx", ["canopy", "propose", dir, "--app", "greeter", "--title", "From the CLI"], {
      env: { ...process.env, CANOPY_SERVER_URL: server.url, CANOPY_TOKEN: token },
    });
    expect(proposed.stderr).not.toContain(token);
    expect(proposed.stdout).not.toContain(token);
    expect(proposed.status).toBe(0);
    expect(proposed.stdout).toMatch(/Proposal #\d+ is open/);
    const mine = await developer.query<{ title: string; state: string }[]>("review.list", { mine: true });
    expect(mine.data?.[0]).toMatchObject({ title: "From the CLI", state: "OPEN" });

    const refused = await runCommand("npx", ["canopy", "propose", dir, "--app", "greeter"], { env: { ...process.env, CANOPY_SERVER_URL: server.url, CANOPY_TOKEN: "cnp_wrong" } });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused/);
    expect(refused.stderr).not.toContain("cnp_wrong");
  });
});
