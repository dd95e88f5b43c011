// How many bytes a value takes as a bus message, so senders can refuse what the server's
// Socket.IO would drop the whole connection for (its maxHttpBufferSize is MAX_BODY_BYTES).

/**
 * Size of `value` as the bus sends it: UTF-8 bytes of its JSON, binary (Buffer, typed arrays,
 * ArrayBuffer) counted by length as Socket.IO sends it apart. Stops counting past `limit`.
 */
export function messageBytes(value: unknown, limit = Infinity): number {
  let binary = 0;
  let over = false;
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key, replaced: unknown) {
    if (over) return undefined;
    const original = this[key];
    const length = original instanceof ArrayBuffer || ArrayBuffer.isView(original) ? original.byteLength : -1;
    if (length < 0) return replaced;
    binary += length;
    if (binary > limit) over = true;
    return 0;
  });
  if (over) return binary;
  return binary + (json === undefined ? 0 : utf8Bytes(json, limit));
}

/** UTF-8 length of `text`, exact up to `limit`: a string of more UTF-16 units than that is over it without a pass over it. */
export function utf8Bytes(text: string, limit = Infinity): number {
  return text.length > limit ? text.length : Buffer.byteLength(text);
}
