// Chat as apps hear it (canopy.chat.on): every channel message and deletion is told to each
// worker that runs apps; the worker hands it to the apps with the chat permission and a listener.
// Direct messages never leave the chat.
import type { ChatBroadcaster } from "../chat/broadcaster";
import type { BusEndpoint } from "../internal/bus-endpoint";
import type { AppPlatformEvent } from "../internal/protocol";
import type { ServiceRegistry } from "../status/registry";

export function forwardChatToApps(deps: { chat: ChatBroadcaster; bus: BusEndpoint; registry: ServiceRegistry }): () => void {
  const tellWorkers = (event: AppPlatformEvent) => {
    for (const workerId of deps.registry.workersProviding("apps")) deps.bus.tell(`worker:${workerId}`, "appPlatformEvent", event);
  };
  return deps.chat.observe({
    message: (view) =>
      tellWorkers({
        kind: "chat.message",
        message: { id: view.id, channel: view.target, username: view.username, displayName: view.displayName, text: view.text, datetime: view.datetime, system: view.username === "system" },
      }),
    deleted: (payload) => tellWorkers({ kind: "chat.delete", channel: payload.channel, messageId: payload.id }),
  });
}
