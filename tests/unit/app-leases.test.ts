import { describe, expect, it } from "vitest";
import { createAppLeases } from "../../worker/apps/app-leases";

describe("app leases on the worker", () => {
  it("refuses a command carrying an older fence than it has seen, admits equal and newer ones", () => {
    const leases = createAppLeases();
    expect(leases.admit({ appId: "demo", target: "live", fence: 3 })).toBe(true);
    expect(leases.admit({ appId: "demo", target: "live", fence: 2 })).toBe(false);
    expect(leases.admit({ appId: "demo", target: "live", fence: 3 })).toBe(true);
    expect(leases.admit({ appId: "demo", target: "live", fence: 4 })).toBe(true);
    expect(leases.admit({ appId: "demo", target: "live", fence: 3 })).toBe(false);
    // Fences are per app and target.
    expect(leases.admit({ appId: "demo", target: "preview", fence: 1 })).toBe(true);
    expect(leases.admit({ appId: "other", target: "live", fence: 1 })).toBe(true);
  });

  it("runs an app out when its lease is not renewed, and ignores renewals under an older fence", () => {
    let now = 1000;
    const leases = createAppLeases({ now: () => now });
    leases.renew({ appId: "demo", target: "live", fence: 2 }, 3000);
    now = 3999;
    expect(leases.expired("demo", "live")).toBe(false);
    leases.renew({ appId: "demo", target: "live", fence: 1 }, 3000);
    now = 4000;
    expect(leases.expired("demo", "live")).toBe(true);
    expect(leases.expiredKeys()).toEqual(["demo:live"]);
    leases.renew({ appId: "demo", target: "live", fence: 2 }, 3000);
    expect(leases.expiredKeys()).toEqual([]);
    leases.forget("demo", "live");
    now = 100_000;
    expect(leases.expiredKeys()).toEqual([]);
    expect(leases.fenceOf("demo", "live")).toBe(2);
  });

  it("counts a renewal from when the heartbeat that asked for it was sent, never shortening a lease", () => {
    let now = 10_000;
    const leases = createAppLeases({ now: () => now });
    leases.renew({ appId: "demo", target: "live", fence: 1 }, 3000, 8000);
    now = 10_999;
    expect(leases.expired("demo", "live")).toBe(false);
    now = 11_000;
    expect(leases.expired("demo", "live")).toBe(true);
    leases.renew({ appId: "demo", target: "live", fence: 1 }, 3000, 11_000);
    leases.renew({ appId: "demo", target: "live", fence: 1 }, 3000, 9000);
    now = 13_999;
    expect(leases.expired("demo", "live")).toBe(false);
  });

  it("after a stop refuses a start under the stopped fence still in transit, and admits a later placement", () => {
    const leases = createAppLeases();
    expect(leases.admit({ appId: "demo", target: "live", fence: 5 })).toBe(true);
    leases.retire({ appId: "demo", target: "live", fence: 5 });
    expect(leases.admit({ appId: "demo", target: "live", fence: 5 })).toBe(false);
    expect(leases.expiredKeys()).toEqual([]);
    expect(leases.admit({ appId: "demo", target: "live", fence: 6 })).toBe(true);
  });
});
