import { describe, expect, it } from "vitest";
import { dropMissing, mergeMessages, removeMessage, withPreviews, type ChatMessage } from "@/app/_components/chat/message-list";
import { mentions, parseMessage, safeHref } from "@/app/_components/chat/message-text";

describe("parseMessage", () => {
  it("keeps markup as plain text", () => {
    expect(parseMessage("<img src=x onerror=alert(1)>")).toEqual([{ kind: "text", text: "<img src=x onerror=alert(1)>" }]);
  });

  it("links http(s) URLs and leaves sentence punctuation outside", () => {
    expect(parseMessage("see https://example.org/a?b=1. ok")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.org/a?b=1", href: "https://example.org/a?b=1" },
      { kind: "text", text: ". ok" },
    ]);
    expect(parseMessage("(http://x.org/wiki/Foo_(bar))")).toEqual([
      { kind: "text", text: "(" },
      { kind: "link", text: "http://x.org/wiki/Foo_(bar)", href: "http://x.org/wiki/Foo_(bar)" },
      { kind: "text", text: ")" },
    ]);
  });

  it("never links other schemes or broken URLs", () => {
    for (const text of ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org", "http://", "https://[bad"]) {
      expect(parseMessage(text).every((segment) => segment.kind === "text")).toBe(true);
    }
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("HTTPS://Example.ORG")).toBe("https://example.org/");
  });

  it("finds @mentions but not e-mail addresses", () => {
    expect(parseMessage("hi @Alice_1, mail bob@example.org")).toEqual([
      { kind: "text", text: "hi " },
      { kind: "mention", text: "@Alice_1", username: "alice_1" },
      { kind: "text", text: ", mail bob@example.org" },
    ]);
    expect(mentions("hey @BOB!", "bob")).toBe(true);
    expect(mentions("hey @bobby", "bob")).toBe(false);
    expect(mentions("@ab is too short", "ab")).toBe(false);
  });

  it("reassembles to the original text", () => {
    const text = "a https://x.org/(y)), @someone https://z.org/?q=<1> end";
    expect(
      parseMessage(text)
        .map((segment) => segment.text)
        .join(""),
    ).toBe(text);
  });
});

const message = (id: number, text = `m${id}`): ChatMessage => ({ id, username: "u", displayName: "u", color: "#123456", type: "channel", target: "c", text, datetime: id });

describe("message list", () => {
  it("merges by id without duplicates, sorted, and keeps deleted ids out", () => {
    const merged = mergeMessages([message(1), message(3)], [message(5), message(3, "edited"), message(2), message(4)], new Set([4]));
    expect(merged.map((entry) => entry.id)).toEqual([1, 2, 3, 5]);
    expect(merged[2]!.text).toBe("edited");
    expect(mergeMessages(merged, [message(6)]).map((entry) => entry.id)).toEqual([1, 2, 3, 5, 6]);
    expect(removeMessage(merged, 2).map((entry) => entry.id)).toEqual([1, 3, 5]);
  });

  it("drops what the server no longer has inside the range it answered for", () => {
    const shown = [1, 2, 3, 4, 5, 6].map((id) => message(id));
    // The server's current page for ids <= 5 (newest first, limit 3): 5, 3, 2 — so 4 was deleted; 1 is outside the page.
    expect(dropMissing(shown, [message(5), message(3), message(2)], 5, false).map((entry) => entry.id)).toEqual([1, 2, 3, 5, 6]);
    // A short page reaches the start of the channel: 1 was deleted too.
    expect(dropMissing(shown, [message(5), message(3), message(2)], 5, true).map((entry) => entry.id)).toEqual([2, 3, 5, 6]);
  });
});

describe("preview messages in the list", () => {
  const message = (id: number, datetime: number) => ({ id, datetime, username: "u", displayName: "u", color: "#000000", type: "channel" as const, target: "lobby", text: String(id) });
  it("places the developer's preview messages by time among the stored ones, in arrival order", () => {
    const stored = [message(1, 100), message(2, 200), message(3, 300)];
    const previews = [{ ...message(-5, 150), preview: true as const }, { ...message(-4, 150), preview: true as const }, { ...message(-9, 400), preview: true as const }];
    expect(withPreviews(stored, previews).map((entry) => entry.id)).toEqual([1, -5, -4, 2, 3, -9]);
    expect(withPreviews(stored, [])).toBe(stored);
  });
});
