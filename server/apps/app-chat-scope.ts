// What an app may do in chat, decided in one pure function (the bus handlers and the event
// fan-out ask it; the review page describes the same rules in words). A preview is unreviewed
// code: whatever it sends reaches only its developer, it never deletes, and it hears only its
// developer's messages. A deployed app sends as itself anywhere chat is open; it posts system
// messages, deletes others' messages and hears chat only in channels that enabled it. The
// reviewer reads the same rules in words (permission-scopes.ts).
import type { AppErrorCode } from "../errors";
import type { AppTarget } from "./runtime-contract";

export type AppChatAction = "send" | "system" | "delete" | "hear";

export type AppChatDecision =
  /** `developer`: delivered to the app owner's sockets only, never stored or shown to anyone else. */
  | { allowed: true; delivery: "channel" | "developer" }
  | { allowed: false; code: AppErrorCode; reason: string };

export function appChatPermission(options: {
  action: AppChatAction;
  target: AppTarget;
  appName: string;
  channel: { name: string; chatDisabled: boolean };
  /** The channel's owner or staff enabled this app there (ChannelApp). */
  enabledInChannel: boolean;
  /** For `delete`: the app that sent the message (null for users' messages). */
  messageAppId?: string | null;
  appId: string;
  /** For `hear`: the message's author is the app's owner. */
  authorIsOwner?: boolean;
}): AppChatDecision {
  const { action, channel } = options;
  const refuse = (code: AppErrorCode, reason: string): AppChatDecision => ({ allowed: false, code, reason });
  if (options.target === "preview") {
    if (action === "hear") return options.authorIsOwner ? { allowed: true, delivery: "developer" } : refuse("FORBIDDEN", "A preview hears only its developer's messages");
    if (action === "delete") return refuse("FORBIDDEN", "Previews cannot delete or moderate chat messages");
    if (channel.chatDisabled) return refuse("FORBIDDEN", `Chat is disabled in #${channel.name}`);
    return { allowed: true, delivery: "developer" };
  }
  const notEnabled = refuse("FORBIDDEN", `#${channel.name} has not enabled ${options.appName}`);
  switch (action) {
    case "hear":
      return options.enabledInChannel ? { allowed: true, delivery: "channel" } : notEnabled;
    case "delete":
      // Its own messages anywhere (even where chat is now disabled); others' only where enabled.
      return options.messageAppId === options.appId || options.enabledInChannel ? { allowed: true, delivery: "channel" } : refuse("FORBIDDEN", `${options.appName} may delete only its own messages in #${channel.name}, which has not enabled it`);
    case "send":
    case "system":
      if (channel.chatDisabled) return refuse("FORBIDDEN", `Chat is disabled in #${channel.name}`);
      return action === "send" || options.enabledInChannel ? { allowed: true, delivery: "channel" } : notEnabled;
  }
}
