// App placements on a real database (PGlite, or a fresh PostgreSQL database when DATABASE_URL is
// set): the conditional claim and move that restarts after a worker death use, so that a deploy or
// a stop that got there first always wins, and fences that never go back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppPlacements, type AppPlacements } from "../../server/apps/app-placements";
import type { Database } from "../../server/db/client";
import { openTestDatabase } from "../helpers/test-database";

let db: Database;
let placements: AppPlacements;

beforeAll(async () => {
  db = await openTestDatabase("placements");
  const owner = await db.prisma.user.create({ data: { username: "placer", displayName: "Placer", passwordHash: "x" } });
  for (const id of ["moved", "claimed", "stopped", "deployed"]) await db.prisma.app.create({ data: { id, name: id, ownerId: owner.id } });
  // No read cache: every call here must see what the database holds.
  placements = createAppPlacements({ prisma: db.prisma, leaseMs: 6000, cacheMs: 0 });
}, 60_000);

afterAll(async () => {
  await db?.close();
});

describe("app placements", () => {
  it("moves a placement only under the fence it was read with: a deploy placed meanwhile wins", async () => {
    const lost = (await placements.acquire({ appId: "moved", target: "live", workerId: "w1", deploymentId: "d1", liveWorkers: ["w1"], graceMs: 0 }))!.placement;
    const deploy = (await placements.acquire({ appId: "moved", target: "live", workerId: "w1", deploymentId: "d2", liveWorkers: ["w1"], graceMs: 0 }))!.placement;
    expect(deploy.fence).toBeGreaterThan(lost.fence);
    expect(await placements.move({ placement: lost, workerId: "w2" })).toBeNull();
    expect(await placements.find("moved", "live")).toMatchObject({ workerId: "w1", deploymentId: "d2", fence: deploy.fence });

    const moved = await placements.move({ placement: deploy, workerId: "w2" });
    expect(moved).toMatchObject({ workerId: "w2", deploymentId: "d2" });
    expect(moved!.fence).toBeGreaterThan(deploy.fence);
    // Two nodes moving the same read placement: exactly one wins.
    const [first, second] = await Promise.all([placements.move({ placement: moved!, workerId: "w1" }), placements.move({ placement: moved!, workerId: "w3" })]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
  });

  it("claims an app only when nothing places it", async () => {
    const claimed = await placements.claim({ appId: "claimed", target: "live", workerId: "w1", deploymentId: "d1" });
    expect(claimed).toMatchObject({ workerId: "w1", deploymentId: "d1" });
    expect(await placements.claim({ appId: "claimed", target: "live", workerId: "w2", deploymentId: "d1" })).toBeNull();
    expect((await placements.find("claimed", "live"))?.workerId).toBe("w1");
    // Preview and live are placed separately.
    expect(await placements.claim({ appId: "claimed", target: "preview", workerId: "w2", deploymentId: "p1" })).toMatchObject({ workerId: "w2" });
  });

  it("places a deploy on the app's live worker, off a dead one whose lease ran out, and not while a dead one's lease runs", async () => {
    const deploy = (deploymentId: string, workerId: string, liveWorkers: string[], from = placements) =>
      from.acquire({ appId: "deployed", target: "live", workerId, deploymentId, liveWorkers, graceMs: 1000 });
    const first = await deploy("d1", "w1", ["w1", "w2"]);
    expect(first).toMatchObject({ placement: { workerId: "w1", deploymentId: "d1" }, previousWorkerId: null });
    // w2 is the less loaded one now, but the app stays where it runs.
    const second = await deploy("d2", "w2", ["w1", "w2"]);
    expect(second).toMatchObject({ placement: { workerId: "w1", deploymentId: "d2" }, previousWorkerId: "w1" });
    expect(second!.placement.fence).toBeGreaterThan(first!.placement.fence);
    // w1 died: until its lease (and the grace) runs out it may still serve, so nothing moves.
    expect(await deploy("d3", "w2", ["w2"])).toBeNull();
    expect(await placements.find("deployed", "live")).toMatchObject({ workerId: "w1", deploymentId: "d2", fence: second!.placement.fence });
    // A minute later (the lease is 6 s) it goes to the live worker.
    const later = createAppPlacements({ prisma: db.prisma, leaseMs: 6000, cacheMs: 0, now: () => Date.now() + 60_000 });
    const moved = await deploy("d3", "w2", ["w2"], later);
    expect(moved).toMatchObject({ placement: { workerId: "w2", deploymentId: "d3" }, previousWorkerId: "w1" });
  });

  it("never hands out an older fence, even after a stop removed the app's row", async () => {
    const first = (await placements.acquire({ appId: "stopped", target: "live", workerId: "w1", deploymentId: "d1", liveWorkers: ["w1"], graceMs: 0 }))!.placement;
    await placements.remove("stopped", "live");
    expect(await placements.find("stopped", "live")).toBeNull();
    const again = await placements.claim({ appId: "stopped", target: "live", workerId: "w1", deploymentId: "d1" });
    expect(again!.fence).toBeGreaterThan(first.fence);
    // A removal under an older fence leaves the newer placement alone.
    await placements.remove("stopped", "live", first.fence);
    expect((await placements.find("stopped", "live"))?.fence).toBe(again!.fence);
  });
});
