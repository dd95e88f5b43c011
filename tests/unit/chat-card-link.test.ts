import { describe, expect, it } from "vitest";
import { cardPageOf } from "@/app/_components/apps/card-link";

const pages = [{ appId: "poll", appName: "Poll", pageId: "vote", title: "Poll", file: "pages/vote.html" }];

describe("chat card links", () => {
  it("finds a card page linked by path or by a URL on this site", () => {
    expect(cardPageOf("Poll: snacks? — vote at /a/poll/vote", pages, "canopy.test")).toEqual(pages[0]);
    expect(cardPageOf("https://canopy.test/a/poll/vote!", pages, "canopy.test")).toEqual(pages[0]);
    expect(cardPageOf("/a/poll/vote/", pages, "canopy.test")).toEqual(pages[0]);
  });

  it("ignores other hosts, other pages, and paths inside other words", () => {
    expect(cardPageOf("https://evil.example/a/poll/vote", pages, "canopy.test")).toBeNull();
    expect(cardPageOf("/a/poll/results", pages, "canopy.test")).toBeNull();
    expect(cardPageOf("see x/a/poll/vote", pages, "canopy.test")).toBeNull();
    expect(cardPageOf("/a/poll/voters", pages, "canopy.test")).toBeNull();
  });
});
