// The chat scope of apps: previews act only for their developer, deployed apps are scoped to the
// channels that enabled them (and to their own messages), nobody posts where chat is disabled.
import { describe, expect, it } from "vitest";
import { appChatPermission } from "../../server/apps/app-chat-scope";
import { describePermissionScopes } from "../../server/apps/permission-scopes";

const open = { name: "lobby", chatDisabled: false };
const closed = { name: "quiet", chatDisabled: true };
const base = { appId: "bot", appName: "Bot", channel: open, enabledInChannel: false };

describe("appChatPermission", () => {
  it("delivers a preview's messages and system messages to its developer only, never where chat is disabled", () => {
    for (const action of ["send", "system"] as const) {
      expect(appChatPermission({ ...base, action, target: "preview", enabledInChannel: true })).toEqual({ allowed: true, delivery: "developer" });
      expect(appChatPermission({ ...base, action, target: "preview", channel: closed })).toMatchObject({ allowed: false, code: "FORBIDDEN", reason: "Chat is disabled in #quiet" });
    }
  });

  it("never lets a preview delete, not even its own messages in a channel that enabled the app", () => {
    expect(appChatPermission({ ...base, action: "delete", target: "preview", enabledInChannel: true, messageAppId: "bot" })).toEqual({
      allowed: false,
      code: "FORBIDDEN",
      reason: "Previews cannot delete or moderate chat messages",
    });
  });

  it("lets a preview hear its developer's messages only, wherever they are", () => {
    expect(appChatPermission({ ...base, action: "hear", target: "preview", authorIsOwner: true })).toMatchObject({ allowed: true });
    expect(appChatPermission({ ...base, action: "hear", target: "preview", authorIsOwner: false, enabledInChannel: true })).toMatchObject({ allowed: false });
  });

  it("lets a deployed app send as itself wherever chat is open", () => {
    expect(appChatPermission({ ...base, action: "send", target: "live" })).toEqual({ allowed: true, delivery: "channel" });
    expect(appChatPermission({ ...base, action: "send", target: "live", channel: closed, enabledInChannel: true })).toMatchObject({ allowed: false, reason: "Chat is disabled in #quiet" });
  });

  it("lets a deployed app post system messages only in open channels that enabled it", () => {
    expect(appChatPermission({ ...base, action: "system", target: "live" })).toMatchObject({ allowed: false, code: "FORBIDDEN", reason: "#lobby has not enabled Bot" });
    expect(appChatPermission({ ...base, action: "system", target: "live", enabledInChannel: true })).toEqual({ allowed: true, delivery: "channel" });
    expect(appChatPermission({ ...base, action: "system", target: "live", enabledInChannel: true, channel: closed })).toMatchObject({ allowed: false, reason: "Chat is disabled in #quiet" });
  });

  it("lets a deployed app delete its own messages anywhere and others' only where it is enabled", () => {
    expect(appChatPermission({ ...base, action: "delete", target: "live", messageAppId: "bot", channel: closed })).toMatchObject({ allowed: true });
    expect(appChatPermission({ ...base, action: "delete", target: "live", messageAppId: null })).toMatchObject({ allowed: false, code: "FORBIDDEN" });
    expect(appChatPermission({ ...base, action: "delete", target: "live", messageAppId: "other-app" })).toMatchObject({ allowed: false });
    expect(appChatPermission({ ...base, action: "delete", target: "live", messageAppId: null, enabledInChannel: true })).toMatchObject({ allowed: true });
  });

  it("lets a deployed app hear only the channels that enabled it", () => {
    expect(appChatPermission({ ...base, action: "hear", target: "live", authorIsOwner: true })).toMatchObject({ allowed: false });
    expect(appChatPermission({ ...base, action: "hear", target: "live", enabledInChannel: true })).toMatchObject({ allowed: true, delivery: "channel" });
  });
});

describe("describePermissionScopes", () => {
  it("tells the reviewer in words what each permission allows, naming the app", () => {
    const scopes = describePermissionScopes({ appName: "Bot", permissions: ["chat", "kv"] });
    expect(scopes.map((entry) => entry.permission)).toEqual(["chat", "kv"]);
    expect(scopes[0]!.scope).toMatch(/^sends messages as Bot .*deletes its own messages; deletes others' messages, posts system messages .*only in channels .*enabled it/);
  });
});
