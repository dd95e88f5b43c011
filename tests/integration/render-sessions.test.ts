// Render session reservations on a real database (PGlite, or a fresh PostgreSQL database when
// DATABASE_URL is set): the per-owner limit counts reservations, and one whose creation never
// finished (its node died) stops holding its owner's place once the periodic sweep has dropped it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../server/db/client";
import { createRenderSessionStore, type RenderSessionStore } from "../../server/render/session-registry";
import { openTestDatabase } from "../helpers/test-database";

let db: Database;
let sessions: RenderSessionStore;
const settings = { width: 320, height: 240, quality: 75, fps: 25, adaptive: true };

beforeAll(async () => {
  db = await openTestDatabase("render-sessions");
  sessions = createRenderSessionStore({ prisma: db.prisma });
}, 60_000);

afterAll(async () => {
  await db?.close();
});

describe("render session reservations", () => {
  it("hold at most `limit` places per owner until discarded", async () => {
    expect(await sessions.reserve({ id: "a1", ownerId: "alice", limit: 2, settings })).toBe(true);
    expect(await sessions.reserve({ id: "a2", ownerId: "alice", limit: 2, settings })).toBe(true);
    expect(await sessions.reserve({ id: "a3", ownerId: "alice", limit: 2, settings })).toBe(false);
    // Another owner has places of their own.
    expect(await sessions.reserve({ id: "b1", ownerId: "bob", limit: 2, settings })).toBe(true);
    await sessions.discard("a2");
    expect(await sessions.reserve({ id: "a3", ownerId: "alice", limit: 2, settings })).toBe(true);
    for (const id of ["a1", "a3", "b1"]) await sessions.discard(id);
  });

  it("a reservation whose creation never finished stops holding its owner's place after the sweep; a recent one keeps it", async () => {
    expect(await sessions.reserve({ id: "stale", ownerId: "carol", limit: 1, settings })).toBe(true);
    // Its node died: nothing activates or discards it. Three minutes old is past its lifetime.
    await db.prisma.renderSession.update({ where: { id: "stale" }, data: { createdAt: new Date(Date.now() - 3 * 60_000) } });
    expect(await sessions.reserve({ id: "blocked", ownerId: "carol", limit: 1, settings })).toBe(false);
    expect(await sessions.reserve({ id: "recent", ownerId: "dave", limit: 1, settings })).toBe(true);
    await sessions.dropStaleReservations();
    expect(await sessions.reserve({ id: "fresh", ownerId: "carol", limit: 1, settings })).toBe(true);
    expect(await sessions.reserve({ id: "refused", ownerId: "dave", limit: 1, settings })).toBe(false);
    expect((await db.prisma.renderSession.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((row) => row.id)).toEqual(["fresh", "recent"]);
  });
});
