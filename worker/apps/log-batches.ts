// Log lines leave an app in bounded pieces: each line is cut to a byte limit (with a marker
// saying how much was dropped) where it is written, and lines travel in batches split so that no
// one message exceeds the bus's budget.
import { messageBytes } from "../../server/internal/message-bytes";

/** Log lines in one message from an app host to its coordinator, at most. */
export const maxLogsPerMessage = 10_000;

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes, the marker "… [truncated N bytes]" included.
 * `totalBytes`: the length of the original when `text` is only its start (cut where it was made).
 */
export function truncateUtf8(text: string, maxBytes: number, totalBytes?: number): string {
  // A string of fewer UTF-16 units than a third of the limit fits whatever it holds.
  if (totalBytes === undefined && text.length * 3 <= maxBytes) return text;
  const total = Math.max(totalBytes ?? 0, Buffer.byteLength(text));
  if (total <= maxBytes) return text;
  // The marker's widest form: the number of bytes dropped has at most as many digits as `total`.
  const room = maxBytes - Buffer.byteLength(marker(total));
  if (room <= 0) return marker(total).slice(0, maxBytes);
  // At most `room` units hold at least `room` bytes; cut there, then back to a character's start.
  const head = Buffer.from(text.slice(0, room));
  let end = Math.min(room, head.length);
  while (end > 0 && (head[end] ?? 0) >> 6 === 0b10) end--;
  return head.subarray(0, end).toString() + marker(total - end);
}

function marker(dropped: number): string {
  return `… [truncated ${dropped} bytes]`;
}

/** Splits `entries` into runs of at most `maxEntries` whose JSON together stays within `maxBytes`. */
export function splitLogBatches<T>(entries: T[], options: { maxBytes: number; maxEntries: number }): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 2;
  for (const entry of entries) {
    const size = options.maxBytes === Infinity ? 0 : messageBytes(entry) + 1;
    if (batch.length && (batch.length >= options.maxEntries || bytes + size > options.maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 2;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length) batches.push(batch);
  return batches;
}
