// Chat as apps hear it (canopy.chat.on): a channel message or deletion goes to the workers of the
// apps allowed to hear it (app-chat-scope.ts: deployed apps in channels that enabled them,
// previews only their developer's own messages), named in the event's audience so the worker
// hands it to those apps alone. Direct messages and previews' private messages never reach apps.
import type { ChatBroadcaster } from "../chat/broadcaster";
import type { ChatLookups } from "../chat/chat-lookups";
import type { AppPlatformEvent } from "../internal/protocol";
import type { Logger } from "../logger";
import { appChatPermission } from "./app-chat-scope";
import type { AppRuntime } from "./runtime-service";

export function forwardChatToApps(deps: { chat: ChatBroadcaster; lookups: ChatLookups; apps: Pick<AppRuntime, "platformEvent">; logger: Logger }): () => void {
  async function forward(channelName: string, event: AppPlatformEvent, author: string | null): Promise<void> {
    const channel = await deps.lookups.channel(channelName);
    if (!channel) return;
    const enabled = await deps.lookups.channelApps(channel.id);
    deps.apps.platformEvent(event, (app) =>
      appChatPermission({ action: "hear", target: app.target, appId: app.appId, appName: app.appId, channel, enabledInChannel: enabled.has(app.appId), authorIsOwner: author === app.ownerUsername }).allowed,
    );
  }
  const fail = (error: unknown) => deps.logger.warn("chat event not passed to apps", { error: String(error) });
  return deps.chat.observe({
    message: (view) =>
      void forward(
        view.target,
        { kind: "chat.message", message: { id: view.id, channel: view.target, username: view.username, displayName: view.displayName, text: view.text, datetime: view.datetime, system: view.system === true } },
        // Messages of apps have no author a preview could act for.
        view.appId ? null : view.username,
      ).catch(fail),
    deleted: (payload) => void forward(payload.channel, { kind: "chat.delete", channel: payload.channel, messageId: payload.id }, null).catch(fail),
  });
}
