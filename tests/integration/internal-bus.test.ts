import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { loadSecrets } from "../../server/secrets";
import { connectBus } from "../../worker/bus-client";
import { startServer, waitFor, type RunningServer } from "../helpers/server";

let server: RunningServer;
let secret: string;

type ExternalStatus = { status: Record<string, string> };
const externalStatus = async () => (await (await fetch(`${server.url}/api/external/`)).json()) as ExternalStatus;

beforeAll(async () => {
  server = await startServer();
  secret = loadSecrets({ dataDir: server.dataDir }).internalSecret;
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

function connect(auth: Record<string, unknown>): Socket {
  return io(`${server.url}/internal`, { auth, transports: ["websocket"], reconnection: false });
}

describe("/internal", () => {
  it("refuses a wrong or missing secret", async () => {
    for (const auth of [{ secret: "wrong", label: "worker:x" }, { label: "worker:x" }, {}]) {
      const socket = connect(auth);
      const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
      expect(error.message).toBe("unauthorized");
      socket.close();
    }
  });

  it("answers Open360 status questions and rejects garbage with an error event", async () => {
    const { socket, bus } = connectBus({ serverUrl: server.url, secret, label: "cli:test", reconnection: false });
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    expect(await bus.ask("web-api", "status", undefined)).toEqual({ status: "alive" });

    const raw = socket as unknown as Socket;
    for (const garbage of [null, 42, "text", { target: "web-api" }, { target: "web-api", ack: "someone-else", type: "message", package: { prompt: "status" } }, { target: "web-api", ack: "cli:test", type: "message", package: { prompt: "heartbeat", data: { nonsense: true } } }]) {
      const error = new Promise<{ message: string }>((resolve) => raw.once("error", resolve));
      raw.emit("api-message", garbage);
      expect((await error).message).toMatch(/invalid|unknown|ack/i);
    }
    // The CLI's label may administer users through the server.
    expect(Array.isArray(await bus.ask("web-api", "userList", undefined))).toBe(true);
    socket.close();
  });

  it("does not let a non-CLI client administer users", async () => {
    const { socket, bus } = connectBus({ serverUrl: server.url, secret, label: "worker:imposter", reconnection: false });
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    await expect(bus.ask("web-api", "userList", undefined)).rejects.toThrow();
    socket.close();
  });
});

describe("worker supervision", () => {
  it("reports the worker alive, and alive again within 10 s of a SIGKILL while the server keeps answering", async () => {
    await waitFor(async () => (await externalStatus()).status.worker === "alive", 30_000);
    const status = (await externalStatus()).status;
    expect(status).toMatchObject({ api: "alive", web: "alive", worker: "alive" });
    for (const name of ["chat", "ingest", "apps", "render"]) expect(["alive", "dead", "zombie"]).toContain(status[name]);

    const currentWorkerPid = () => Number(execFileSync("pgrep", ["-P", String(server.process.pid)]).toString().trim().split("\n")[0]);
    const workerPid = currentWorkerPid();
    expect(workerPid).toBeGreaterThan(0);
    process.kill(workerPid, "SIGKILL");
    // Seen down, or already replaced: on a loaded machine one status poll can outlast the restart.
    await waitFor(async () => (await externalStatus()).status.worker !== "alive" || currentWorkerPid() !== workerPid, 10_000, 50);
    // The server keeps answering while the worker is down.
    expect((await fetch(`${server.url}/api/external/`)).status).toBe(200);
    await waitFor(async () => (await externalStatus()).status.worker === "alive", 10_000);
    expect(currentWorkerPid()).not.toBe(workerPid);
  });
});
