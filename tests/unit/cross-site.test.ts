import { describe, expect, it } from "vitest";
import { foreignSiteOf } from "../../server/http/cross-site";

const host = "canopy.test:3000";

describe("foreignSiteOf", () => {
  it("trusts the server's own origin and the public URL", () => {
    expect(foreignSiteOf({ origin: "http://canopy.test:3000", host }, undefined)).toBeNull();
    expect(foreignSiteOf({ origin: "https://canopy.example", host }, "https://canopy.example/some/path")).toBeNull();
    // Behind a TLS proxy the Host has no scheme and no default port.
    expect(foreignSiteOf({ origin: "https://canopy.example", host: "canopy.example" }, undefined)).toBeNull();
    expect(foreignSiteOf({ origin: "https://Canopy.Example", host: "canopy.example:443" }, undefined)).toBeNull();
  });

  it("refuses other ports, sibling subdomains, opaque and non-web origins", () => {
    for (const origin of ["http://canopy.test:3001", "http://evil.canopy.test:3000", "http://canopy.test", "null", "chrome-extension://canopy.test:3000", "garbage"]) {
      expect(foreignSiteOf({ origin, host }, "https://canopy.example"), origin).toMatch(/^Cross-site request refused/);
    }
    expect(foreignSiteOf({ origin: "http://canopy.example", host }, "https://canopy.example")).toMatch(/Cross-site/);
  });

  it("without Origin, goes by Sec-Fetch-Site, and lets clients that send neither through", () => {
    expect(foreignSiteOf({ host, "sec-fetch-site": "cross-site" }, undefined)).toMatch(/cross-site/);
    expect(foreignSiteOf({ host, "sec-fetch-site": "same-site" }, undefined)).toMatch(/same-site/);
    expect(foreignSiteOf({ host, "sec-fetch-site": "same-origin" }, undefined)).toBeNull();
    expect(foreignSiteOf({ host, "sec-fetch-site": "none" }, undefined)).toBeNull();
    expect(foreignSiteOf({ host }, undefined)).toBeNull();
  });
});
