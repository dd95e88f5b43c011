// `npm run user`: account administration from the shell, both with no server running (it opens
// the embedded database itself) and while the server owns it (it asks over the internal bus).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../helpers/server";
import { TestClient } from "../helpers/http-client";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-cli-"));
let server: RunningServer | undefined;

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "server/cli/user.ts", ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run user", () => {
  it("creates users and sets roles with no server running", () => {
    const created = cli("create", "Quinn", "--password", "quinn-password", "--role", "developer");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^quinn\tdeveloper\tquinn/m);
    expect(cli("set-role", "quinn", "staff").stdout).toMatch(/^quinn\tstaff/m);
    expect(cli("list").stdout).toMatch(/^quinn\tstaff/m);
  });

  it("refuses bad input with a clear message and a non-zero exit", () => {
    const taken = cli("create", "quinn", "--password", "another-password");
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/taken/);
    const short = cli("create", "rita", "--password", "short");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/8 characters/);
    const unknown = cli("set-role", "nobody_here", "staff");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No user/);
    expect(cli("launch-rockets").code).toBe(1);
    expect(cli("set-role", "quinn", "emperor").code).toBe(1);
  });

  it("goes through the running server when it owns the embedded database", async () => {
    server = await startServer({ dataDir, env: { CANOPY_START_WORKER: "false", DATABASE_URL: "" } });
    expect(cli("create", "sam", "--password", "sam-password").code).toBe(0);
    expect(cli("set-role", "sam", "developer").stdout).toMatch(/^sam\tdeveloper/m);
    const sam = new TestClient(server.url);
    expect(await sam.signIn("sam", "sam-password")).toBe(true);
    expect((await sam.query<{ role: string }>("account.me")).data?.role).toBe("DEVELOPER");
    const quinn = new TestClient(server.url);
    expect(await quinn.signIn("quinn", "quinn-password")).toBe(true);
    expect((await quinn.query<{ role: string }>("account.me")).data?.role).toBe("STAFF");
  });
});
