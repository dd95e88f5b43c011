import type { ChatMessage } from "../db/generated/client";
import type { ChatMessageView } from "./schemas";

export function toMessageView(message: ChatMessage): ChatMessageView {
  return {
    id: message.id,
    username: message.username,
    displayName: message.displayName,
    color: message.color,
    type: message.type === "CHANNEL" ? "channel" : "user",
    target: message.target,
    text: message.text,
    datetime: message.createdAt.getTime(),
    ...(message.appId && { appId: message.appId }),
    ...(message.appId && !message.system && { app: { id: message.appId, name: message.displayName } }),
    ...(message.system && { system: true as const }),
  };
}
