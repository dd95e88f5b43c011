import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { startServer, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ env: { CANOPY_ADMIN_USERNAME: "root_admin", CANOPY_ADMIN_PASSWORD: "admin-password-1" } });
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

describe("sign-up and sign-in", () => {
  it("signs up, signs in with next-auth credentials and sees itself", async () => {
    const client = new TestClient(server.url);
    const created = await client.mutation<{ username: string; role: string }>("account.signUp", { username: "Alice", password: "correct-horse" });
    expect(created.status).toBe(200);
    expect(created.data).toMatchObject({ username: "alice", role: "MEMBER" });
    expect(await client.signIn("alice", "correct-horse")).toBe(true);
    const me = await client.query<{ username: string; via: string }>("account.me");
    expect(me.data).toMatchObject({ username: "alice", via: "session" });
  });

  it("refuses a taken username, a short password and a bad username without writing", async () => {
    const client = new TestClient(server.url);
    await client.mutation("account.signUp", { username: "bob", password: "long-enough-1" });
    const taken = await client.mutation("account.signUp", { username: "BOB", password: "another-password" });
    expect(taken.status).toBe(409);
    expect(taken.error?.message).toMatch(/taken/);
    const short = await client.mutation("account.signUp", { username: "carol", password: "short" });
    expect(short.status).toBe(400);
    expect(short.error?.message).toMatch(/password/i);
    const invalid = await client.mutation("account.signUp", { username: "no spaces!", password: "long-enough-1" });
    expect(invalid.status).toBe(400);
    expect(await client.signIn("carol", "short")).toBe(false);
    expect(await client.signIn("bob", "another-password")).toBe(false);
    expect(await client.signIn("bob", "long-enough-1")).toBe(true);
  });

  it("does not sign in with a wrong password and stays a guest", async () => {
    const client = new TestClient(server.url);
    expect(await client.signIn("alice", "wrong-password")).toBe(false);
    expect((await client.query("account.me")).data).toBeNull();
    expect((await client.query("tokens.list")).status).toBe(401);
  });
});

describe("roles", () => {
  it("bootstraps the staff account from the environment and lets staff set roles", async () => {
    const staff = new TestClient(server.url);
    expect(await staff.signIn("root_admin", "admin-password-1")).toBe(true);
    expect((await staff.query<{ role: string }>("account.me")).data?.role).toBe("STAFF");
    await staff.mutation("account.signUp", { username: "dave", password: "dave-password" });
    const promoted = await staff.mutation<{ role: string }>("users.setRole", { username: "dave", role: "DEVELOPER" });
    expect(promoted.data?.role).toBe("DEVELOPER");

    const member = new TestClient(server.url);
    await member.signIn("dave", "dave-password");
    expect((await member.query<{ role: string }>("account.me")).data?.role).toBe("DEVELOPER");
    expect((await member.mutation("users.setRole", { username: "dave", role: "STAFF" })).status).toBe(403);
    expect((await member.query("users.list")).status).toBe(403);
  });
});

describe("personal API tokens", () => {
  it("creates a token shown once, accepts it as a bearer on tRPC, REST and sockets, and revokes it", async () => {
    const owner = new TestClient(server.url);
    await owner.mutation("account.signUp", { username: "erin", password: "erin-password" });
    await owner.signIn("erin", "erin-password");
    const created = await owner.mutation<{ id: string; token: string; prefix: string }>("tokens.create", { name: "laptop" });
    const token = created.data!.token;
    expect(token).toMatch(/^cnp_/);
    const listed = await owner.query<Array<Record<string, unknown>>>("tokens.list");
    expect(listed.data).toHaveLength(1);
    expect(JSON.stringify(listed.data)).not.toContain(token);

    const script = new TestClient(server.url);
    script.bearer = token;
    expect((await script.query<{ username: string; via: string }>("account.me")).data).toMatchObject({ username: "erin", via: "token" });

    const socket = io(`${server.url}/chat`, { auth: { token }, transports: ["websocket"], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    socket.close();

    expect((await owner.mutation("tokens.revoke", { id: created.data!.id })).status).toBe(200);
    const revoked = await script.query("account.me");
    expect(revoked.status).toBe(401);
    expect(revoked.error?.message).toMatch(/token/i);

    const refused = io(`${server.url}/chat`, { auth: { token }, transports: ["websocket"], reconnection: false });
    const error = await new Promise<Error>((resolve) => refused.once("connect_error", resolve));
    expect(error.message).toMatch(/token/i);
    refused.close();
  });

  it("someone else's token cannot be revoked", async () => {
    const mallory = new TestClient(server.url);
    await mallory.mutation("account.signUp", { username: "mallory", password: "mallory-password" });
    await mallory.signIn("mallory", "mallory-password");
    const alice = new TestClient(server.url);
    await alice.signIn("alice", "correct-horse");
    const token = await alice.mutation<{ id: string }>("tokens.create", { name: "ci" });
    expect((await mallory.mutation("tokens.revoke", { id: token.data!.id })).status).toBe(404);
    expect((await alice.query<Array<{ revokedAt: Date | null }>>("tokens.list")).data?.[0]?.revokedAt).toBeNull();
  });
});

describe("bad input", () => {
  it("answers malformed, oversized and unknown requests with JSON 4xx", async () => {
    const malformed = await fetch(`${server.url}/api/trpc/account.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);

    const oversized = await fetch(`${server.url}/api/trpc/account.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { username: "x".repeat(2_000_000), password: "p" } }),
    });
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });

    const wrongShape = await fetch(`${server.url}/api/trpc/account.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([1, 2, 3]),
    });
    expect(wrongShape.status).toBe(400);

    const unknown = await fetch(`${server.url}/api/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "NOT_FOUND" } });

    const unknownProcedure = await fetch(`${server.url}/api/trpc/account.nothing`);
    expect(unknownProcedure.status).toBe(404);

    const garbageAuth = await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{garbage",
    });
    expect(garbageAuth.status).toBeLessThan(500);

    const badBearer = await fetch(`${server.url}/api/trpc/account.me`, { headers: { authorization: "Bearer nonsense" } });
    expect(badBearer.status).toBe(401);
  });

  it("writes nothing for refused sign-ups", async () => {
    const staff = new TestClient(server.url);
    await staff.signIn("root_admin", "admin-password-1");
    const users = await staff.query<Array<{ username: string }>>("users.list");
    expect(users.data?.map((user) => user.username)).not.toContain("carol");
  });
});
