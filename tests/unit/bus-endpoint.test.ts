import { describe, expect, it } from "vitest";
import { createBusEndpoint, type BusEndpoint } from "../../server/internal/bus-endpoint";
import type { Envelope } from "../../server/internal/protocol";

/** Two endpoints wired back to back, as the server's relay would connect them. */
function pair(): { a: BusEndpoint; b: BusEndpoint; sent: Envelope[] } {
  const sent: Envelope[] = [];
  const endpoints: Record<string, BusEndpoint> = {};
  const send = (envelope: Envelope) => {
    sent.push(envelope);
    queueMicrotask(() => void endpoints[envelope.target]?.receive(envelope));
  };
  endpoints.a = createBusEndpoint({ label: "a", send, defaultTimeoutMs: 200 });
  endpoints.b = createBusEndpoint({ label: "b", send, defaultTimeoutMs: 200 });
  return { a: endpoints.a, b: endpoints.b, sent };
}

describe("bus endpoint", () => {
  it("answers a question with a <prompt>-reply message in Open360's envelope", async () => {
    const { a, b, sent } = pair();
    b.handle("status", () => ({ status: "alive" }));
    await expect(a.ask("b", "status", undefined)).resolves.toEqual({ status: "alive" });
    expect(sent[0]).toMatchObject({ target: "b", ack: "a", type: "question", package: { prompt: "status" } });
    expect(sent[1]).toMatchObject({ target: "a", ack: "b", type: "message", package: { prompt: "status-reply", data: { status: "alive" }, message: "Ok" } });
    expect(sent[1]!.id).toBe(sent[0]!.id);
  });

  it("pairs concurrent questions with their replies", async () => {
    const { a, b } = pair();
    let calls = 0;
    b.handle("userSetRole", async (data) => {
      const delay = calls++ === 0 ? 30 : 0;
      await new Promise((resolve) => setTimeout(resolve, delay));
      return { id: data.username, username: data.username, displayName: data.username, role: data.role, createdAt: new Date(0) };
    });
    const [first, second] = await Promise.all([
      a.ask("b", "userSetRole", { username: "first", role: "STAFF" }),
      a.ask("b", "userSetRole", { username: "second", role: "MEMBER" }),
    ]);
    expect(first.username).toBe("first");
    expect(second.username).toBe("second");
  });

  it("times out when nobody answers", async () => {
    const { a } = pair();
    await expect(a.ask("nobody", "status", undefined, { timeoutMs: 50 })).rejects.toMatchObject({ code: "TIMEOUT" });
  });

  it("fails the questions waiting on one target at once when it is gone, leaving the others", async () => {
    const { a } = pair();
    const toGone = a.ask("gone", "status", undefined, { timeoutMs: 10_000 });
    const toOther = a.ask("other", "status", undefined, { timeoutMs: 50 });
    a.failPending("The worker disconnected", "gone");
    await expect(toGone).rejects.toMatchObject({ code: "UNAVAILABLE", message: "The worker disconnected" });
    await expect(toOther).rejects.toMatchObject({ code: "TIMEOUT" });
  });

  it("replies with a typed error to unknown prompts, invalid data and failing handlers", async () => {
    const { a, b } = pair();
    await expect(a.ask("b", "status", undefined)).rejects.toMatchObject({ code: "NOT_FOUND" });
    b.handle("userSetRole", () => {
      throw new Error("secret details");
    });
    await expect(a.ask("b", "userSetRole", { username: "x", role: "BOSS" } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(a.ask("b", "userSetRole", { username: "xyz", role: "STAFF" })).rejects.toMatchObject({ code: "INTERNAL", message: "Internal error" });
  });

  it("reports refused envelopes to the transport", async () => {
    const { b } = pair();
    expect(await b.receive({ nonsense: true })).toMatch(/malformed/);
    expect(await b.receive({ target: "b", ack: "a", type: "message", package: { prompt: "heartbeat", data: {} } })).toMatch(/unknown prompt|invalid/);
  });

  it("fails pending questions when the connection drops", async () => {
    const { a } = pair();
    const question = a.ask("nobody", "status", undefined, { timeoutMs: 5000 });
    a.failPending("gone");
    await expect(question).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("refuses to send a message over its limit, to the caller, and sends nothing", async () => {
    const sent: Envelope[] = [];
    const a = createBusEndpoint({ label: "a", send: (envelope) => sent.push(envelope), maxMessageBytes: 10_000 });
    const entries = [{ at: 0, level: "log" as const, message: "€".repeat(4000) }];
    expect(() => a.tell("b", "appLog", { appId: "app", target: "live", entries })).toThrow(/appLog is \d+ bytes or more; one bus message carries at most 10000/);
    await expect(a.ask("b", "appKvCommit", { appId: "app", target: "live", clears: [], writes: [{ map: "m", key: "k", value: "x".repeat(20_000) }] })).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect(sent).toEqual([]);
    a.tell("b", "appLog", { appId: "app", target: "live", entries: [{ at: 0, level: "log", message: "€".repeat(3000) }] });
    expect(sent).toHaveLength(1);
  });
});
