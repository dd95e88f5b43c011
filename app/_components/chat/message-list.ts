// The chat panel's message list: one entry per id, sorted by id (the server's order of storage),
// whichever way a message arrived (history page, catch-up page, live event, send ack).
import type { ChatMessageView } from "@/server/chat/schemas";

export type ChatMessage = ChatMessageView;

/** History page size; a page this long means there may be older messages. */
export const historyPageSize = 50;

/** Merges messages into a sorted list; later copies of an id replace earlier ones, deleted ids never come back. */
export function mergeMessages(current: readonly ChatMessage[], incoming: readonly ChatMessage[], deleted?: ReadonlySet<number>): ChatMessage[] {
  const fresh = deleted?.size ? incoming.filter((message) => !deleted.has(message.id)) : incoming;
  if (fresh.length === 0) return current as ChatMessage[];
  // The common case, one live message newer than everything shown: append.
  const lastId = current.length ? current[current.length - 1]!.id : 0;
  if (fresh.length === 1 && fresh[0]!.id > lastId) return [...current, fresh[0]!];
  const byId = new Map<number, ChatMessage>();
  for (const message of current) byId.set(message.id, message);
  for (const message of fresh) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Preview messages kept per channel view (they live only in this page, never in history). */
export const maxPreviewMessages = 50;

/**
 * The stored messages with the developer's preview messages (negative ids, never stored)
 * placed by time: each after the last stored message that is not newer than it.
 */
export function withPreviews(stored: readonly ChatMessage[], previews: readonly ChatMessage[]): ChatMessage[] {
  if (!previews.length) return stored as ChatMessage[];
  const merged: ChatMessage[] = [];
  let next = 0;
  for (const message of stored) {
    while (next < previews.length && previews[next]!.datetime < message.datetime) merged.push(previews[next++]!);
    merged.push(message);
  }
  return merged.concat(previews.slice(next));
}

export function removeMessage(current: readonly ChatMessage[], id: number): ChatMessage[] {
  return current.some((message) => message.id === id) ? current.filter((message) => message.id !== id) : (current as ChatMessage[]);
}

/**
 * After a reconnect without recovery, deletions made during the gap never reached us. `page` is
 * the server's current view of the range it covers (newest first, as history returns it, fetched
 * with beforeId = lastSeenId + 1): anything we show inside that range and the server no longer
 * has was deleted. `reachedStart` means the page holds everything up to the channel's first message.
 */
export function dropMissing(current: readonly ChatMessage[], page: readonly ChatMessage[], upToId: number, reachedStart: boolean): ChatMessage[] {
  const present = new Set(page.map((message) => message.id));
  const fromId = reachedStart ? 0 : Math.min(...page.map((message) => message.id));
  if (!Number.isFinite(fromId)) return current as ChatMessage[];
  const kept = current.filter((message) => message.id < fromId || message.id > upToId || present.has(message.id));
  return kept.length === current.length ? (current as ChatMessage[]) : kept;
}
