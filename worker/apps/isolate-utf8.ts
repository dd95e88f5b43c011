// UTF-8 written in plain JavaScript for the isolate's bootstrap: V8 alone has no TextEncoder, and
// asking the host costs a thread hand-off (tens of µs) per call, more than encoding a short string
// here. The bootstrap uses these below `utf8InIsolateMaxLength` and the host above it. Both follow
// the WHATWG Encoding standard (lone surrogates and malformed bytes become U+FFFD), as Node's
// Buffer does; a unit test compares them with Buffer on random input.

/** Strings (in UTF-16 units) and buffers (in bytes) up to this size are converted in the isolate. */
export const utf8InIsolateMaxLength = 4096;

/** Declares `utf8Encode(text): Uint8Array`, `utf8Decode(bytes: Uint8Array): string` and `utf8Length(text): number`. */
export const utf8Source = String.raw`
const utf8Length = (text) => {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) { bytes += 1; continue; }
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { bytes += 2; i++; continue; }
    }
    bytes += 2;
  }
  return bytes;
};
const utf8Encode = (text) => {
  const out = new Uint8Array(text.length * 3);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) { out[at++] = code; continue; }
    if (code < 0x800) { out[at++] = 0xc0 | (code >> 6); out[at++] = 0x80 | (code & 0x3f); continue; }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[at++] = 0xf0 | (code >> 18); out[at++] = 0x80 | ((code >> 12) & 0x3f); out[at++] = 0x80 | ((code >> 6) & 0x3f); out[at++] = 0x80 | (code & 0x3f);
        continue;
      }
      code = 0xfffd;
    }
    out[at++] = 0xe0 | (code >> 12); out[at++] = 0x80 | ((code >> 6) & 0x3f); out[at++] = 0x80 | (code & 0x3f);
  }
  return out.slice(0, at);
};
const utf8Decode = (bytes) => {
  const units = [];
  let text = "";
  for (let i = 0; i < bytes.length; ) {
    const first = bytes[i];
    if (first < 0x80) { units.push(first); i++; }
    else {
      let needed = 0, code = 0, lower = 0x80, upper = 0xbf;
      if (first >= 0xc2 && first <= 0xdf) { needed = 1; code = first & 0x1f; }
      else if (first >= 0xe0 && first <= 0xef) { needed = 2; code = first & 0x0f; if (first === 0xe0) lower = 0xa0; else if (first === 0xed) upper = 0x9f; }
      else if (first >= 0xf0 && first <= 0xf4) { needed = 3; code = first & 0x07; if (first === 0xf0) lower = 0x90; else if (first === 0xf4) upper = 0x8f; }
      let next = i + 1;
      let valid = needed > 0;
      for (let k = 0; valid && k < needed; k++, next++) {
        const byte = next < bytes.length ? bytes[next] : -1;
        if (byte < lower || byte > upper) { valid = false; break; }
        code = (code << 6) | (byte & 0x3f);
        lower = 0x80; upper = 0xbf;
      }
      // A malformed sequence is one U+FFFD; the byte that broke it starts the next one.
      if (!valid) { units.push(0xfffd); i = needed > 0 ? next : i + 1; }
      else if (code > 0xffff) { code -= 0x10000; units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff)); i = next; }
      else { units.push(code); i = next; }
    }
    if (units.length >= 4096) { text += String.fromCharCode.apply(null, units); units.length = 0; }
  }
  return text + String.fromCharCode.apply(null, units);
};
`;
