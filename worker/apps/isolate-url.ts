// URL and URLSearchParams for app code (V8 alone has neither). URLSearchParams is plain JavaScript
// here (WHATWG application/x-www-form-urlencoded, on the isolate's UTF-8); URL parsing is the
// host's (Node's WHATWG parser) through the "url.parse" and "url.set" operations, with the parts
// copied into the isolate. Inserted into the bootstrap, where `call`, `utf8Encode` and
// `utf8Decode` are in scope; declares `urlClasses()` → { URL, URLSearchParams }.
export const urlSource = String.raw`
  const isHex = (byte) => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
  const formDecode = (text) => {
    const input = utf8Encode(text);
    const out = new Uint8Array(input.length);
    let at = 0;
    for (let i = 0; i < input.length; i++) {
      const byte = input[i];
      if (byte === 0x25 && i + 2 < input.length && isHex(input[i + 1]) && isHex(input[i + 2])) {
        out[at++] = parseInt(String.fromCharCode(input[i + 1], input[i + 2]), 16);
        i += 2;
      } else out[at++] = byte === 0x2b ? 0x20 : byte;
    }
    return utf8Decode(out.subarray(0, at));
  };
  const formEncode = (text) => {
    let out = "";
    for (const byte of utf8Encode(text)) {
      if (byte === 0x20) out += "+";
      else if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2a || byte === 0x2d || byte === 0x2e || byte === 0x5f) out += String.fromCharCode(byte);
      else out += "%" + (byte < 16 ? "0" : "") + byte.toString(16).toUpperCase();
    }
    return out;
  };
  const urlClasses = lazy(() => {
    let linkParams;
    let reparseParams;
    class URLSearchParams {
      #list = [];
      #update = null;
      constructor(init = "") {
        if (init instanceof URLSearchParams) this.#list = init.#list.map(([name, value]) => [name, value]);
        else if (typeof init === "object" && init !== null) {
          if (typeof init[Symbol.iterator] === "function") {
            for (const pair of init) {
              const items = [...pair];
              if (items.length !== 2) throw new TypeError("Each URLSearchParams pair must have exactly two items");
              this.#list.push([String(items[0]), String(items[1])]);
            }
          } else for (const key of Object.keys(init)) this.#list.push([key, String(init[key])]);
        } else this.#parse(String(init));
      }
      #parse(text) {
        this.#list = [];
        for (const part of (text.startsWith("?") ? text.slice(1) : text).split("&")) {
          if (!part) continue;
          const at = part.indexOf("=");
          this.#list.push(at < 0 ? [formDecode(part), ""] : [formDecode(part.slice(0, at)), formDecode(part.slice(at + 1))]);
        }
      }
      #changed() {
        if (this.#update) this.#update(this.toString());
      }
      static {
        linkParams = (params, update) => { params.#update = update; };
        reparseParams = (params, search) => params.#parse(search);
      }
      get size() { return this.#list.length; }
      append(name, value) { this.#list.push([String(name), String(value)]); this.#changed(); }
      delete(name, value) {
        const key = String(name);
        this.#list = this.#list.filter(([n, v]) => n !== key || (value !== undefined && v !== String(value)));
        this.#changed();
      }
      get(name) { const key = String(name); const found = this.#list.find(([n]) => n === key); return found ? found[1] : null; }
      getAll(name) { const key = String(name); return this.#list.filter(([n]) => n === key).map(([, v]) => v); }
      has(name, value) { const key = String(name); return this.#list.some(([n, v]) => n === key && (value === undefined || v === String(value))); }
      set(name, value) {
        const key = String(name);
        const first = this.#list.findIndex(([n]) => n === key);
        if (first < 0) this.#list.push([key, String(value)]);
        else this.#list = this.#list.filter(([n], index) => n !== key || index === first).map((pair, index) => (index === first ? [key, String(value)] : pair));
        this.#changed();
      }
      sort() { this.#list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); this.#changed(); }
      toString() { return this.#list.map(([name, value]) => formEncode(name) + "=" + formEncode(value)).join("&"); }
      forEach(callback, thisArg) { for (const [name, value] of this.#list) callback.call(thisArg, value, name, this); }
      *keys() { for (const [name] of this.#list) yield name; }
      *values() { for (const [, value] of this.#list) yield value; }
      *entries() { for (const [name, value] of this.#list) yield [name, value]; }
      [Symbol.iterator]() { return this.entries(); }
      get [Symbol.toStringTag]() { return "URLSearchParams"; }
    }
    const parse = (url, base) => call("url.parse", [String(url), base === undefined ? null : String(base)]);
    class URL {
      #parts;
      #params = null;
      constructor(url, base) {
        const parts = parse(url, base);
        if (parts === null) throw new TypeError("Invalid URL: " + String(url));
        this.#parts = parts;
      }
      static canParse(url, base) { return parse(url, base) !== null; }
      #replace(parts) {
        this.#parts = parts;
        if (this.#params) reparseParams(this.#params, parts.search);
      }
      get href() { return this.#parts.href; }
      set href(value) {
        const parts = parse(value);
        if (parts === null) throw new TypeError("Invalid URL: " + String(value));
        this.#replace(parts);
      }
      get origin() { return this.#parts.origin; }
      get searchParams() {
        if (!this.#params) {
          this.#params = new URLSearchParams(this.#parts.search);
          linkParams(this.#params, (search) => { this.#parts = call("url.set", [this.#parts.href, "search", search]); });
        }
        return this.#params;
      }
      toString() { return this.#parts.href; }
      toJSON() { return this.#parts.href; }
      get [Symbol.toStringTag]() { return "URL"; }
      static {
        for (const name of ["protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"]) {
          Object.defineProperty(URL.prototype, name, {
            get() { return this.#parts[name]; },
            set(value) { this.#replace(call("url.set", [this.#parts.href, name, String(value)])); },
            enumerable: true,
            configurable: true,
          });
        }
      }
    }
    return { URL, URLSearchParams };
  });
  defineLazy("URL", () => urlClasses().URL);
  defineLazy("URLSearchParams", () => urlClasses().URLSearchParams);
`;
