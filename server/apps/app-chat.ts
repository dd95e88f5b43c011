// canopy.chat.send / sendSystem / delete as the server carries them out for an app, within the
// scope app-chat-scope.ts decides. The app's identity and target come from the worker's
// coordinator (never from app code); a preview's messages go to its developer's sockets only.
import type { ChatBroadcaster } from "../chat/broadcaster";
import type { ChatLookups } from "../chat/chat-lookups";
import { colorFor } from "../chat/colors";
import { toMessageView } from "../chat/message-view";
import type { RateLimiter } from "../chat/rate-limiter";
import type { ChatMessageView } from "../chat/schemas";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { appChatPermission, type AppChatAction } from "./app-chat-scope";
import type { AppTarget } from "./runtime-contract";

export type AppChatDeps = {
  prisma: PrismaClient;
  chat: ChatBroadcaster;
  lookups: ChatLookups;
  rateLimiter: RateLimiter;
  limits: { maxLength: number; moderationPerMinute: number };
};

type Sender = { appId: string; target: AppTarget };

/** Preview messages are never stored: they get ids no stored message has (negative, unique per node). */
let previewSeq = 0;
const previewId = () => -(Date.now() * 1000 + (previewSeq++ % 1000));

async function appOf(deps: AppChatDeps, appId: string) {
  const app = await deps.prisma.app.findUnique({ where: { id: appId }, select: { name: true, owner: { select: { username: true } } } });
  if (!app) throw new AppError("NOT_FOUND", `No app ${appId}`);
  return { name: app.name, ownerUsername: app.owner.username };
}

/** Deletions and system messages of one app (and target) per minute, on every node together. */
async function limitModeration(deps: AppChatDeps, sender: Sender): Promise<void> {
  const waitMs = await deps.rateLimiter.hit(`app-moderation:${sender.target}:${sender.appId}`, deps.limits.moderationPerMinute, 60_000);
  if (waitMs > 0) throw new AppError("TOO_MANY_REQUESTS", `Chat moderation limit: at most ${deps.limits.moderationPerMinute} deletions and system messages per minute; wait ${Math.ceil(waitMs / 1000)} s`, { retryAfterMs: waitMs });
}

function decide(options: Parameters<typeof appChatPermission>[0]) {
  const decision = appChatPermission(options);
  if (!decision.allowed) throw new AppError(decision.code, decision.reason);
  return decision.delivery;
}

export async function sendAppChatMessage(options: { deps: AppChatDeps; sender: Sender; channel: string; text: string; system: boolean }): Promise<{ id: number }> {
  const { deps, sender } = options;
  const [app, channel] = await Promise.all([appOf(deps, sender.appId), deps.lookups.channel(options.channel)]);
  if (!channel) throw new AppError("NOT_FOUND", `No channel #${options.channel}`);
  const action: AppChatAction = options.system ? "system" : "send";
  const enabledInChannel = options.system && (await deps.lookups.channelApps(channel.id)).has(sender.appId);
  const delivery = decide({ action, target: sender.target, appId: sender.appId, appName: app.name, channel, enabledInChannel });
  const text = options.text.trim().slice(0, deps.limits.maxLength);
  if (!text) throw new AppError("BAD_REQUEST", "Message is empty");
  if (options.system) await limitModeration(deps, sender);
  const username = options.system ? "system" : `app:${sender.appId}`;
  const row = { type: "CHANNEL" as const, target: channel.name, username, displayName: options.system ? "System" : app.name, color: colorFor(username), text, appId: sender.appId, system: options.system };
  if (delivery === "developer") {
    const view: ChatMessageView = { ...toMessageView({ ...row, id: previewId(), channelId: channel.id, authorId: null, createdAt: new Date(), deletedAt: null }), preview: true };
    deps.chat.toUser(app.ownerUsername, view);
    return { id: view.id };
  }
  const message = await deps.prisma.chatMessage.create({ data: { ...row, channelId: channel.id } });
  deps.chat.message(toMessageView(message));
  return { id: message.id };
}

export async function deleteAppChatMessage(options: { deps: AppChatDeps; sender: Sender; messageId: number }): Promise<{ deleted: boolean }> {
  const { deps, sender } = options;
  const app = await appOf(deps, sender.appId);
  // Refused before the message is even looked up: a preview learns nothing about other messages.
  if (sender.target === "preview") decide({ action: "delete", target: "preview", appId: sender.appId, appName: app.name, channel: { name: "", chatDisabled: false }, enabledInChannel: false });
  const message = await deps.prisma.chatMessage.findUnique({ where: { id: options.messageId }, include: { channel: true } });
  if (!message || message.deletedAt || !message.channel) return { deleted: false };
  const enabledInChannel = (await deps.lookups.channelApps(message.channel.id)).has(sender.appId);
  decide({ action: "delete", target: sender.target, appId: sender.appId, appName: app.name, channel: message.channel, enabledInChannel, messageAppId: message.appId });
  await limitModeration(deps, sender);
  const { count } = await deps.prisma.chatMessage.updateMany({ where: { id: message.id, deletedAt: null }, data: { deletedAt: new Date() } });
  if (count) deps.chat.deleted({ id: message.id, channel: message.channel.name });
  return { deleted: count > 0 };
}
