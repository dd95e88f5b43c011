// URL and URLSearchParams in a real isolate must behave as Node's (WHATWG) do: parsing, parts,
// setters, the searchParams link, form encoding of any text, and a TypeError for what does not parse.
import { expect, it } from "vitest";
import { appManifestSchema } from "@/server/apps/manifest";
import { getRequest, testAppInstance } from "../helpers/app-instance";

const queries = ["a=1&b=2&a=3", "?x=%20y+z&empty=&flag", "q=caf%C3%A9&bad=%zz%4&plus=%2B+", "ü=😀&=novalue&&k=v=w", ""];
const urls: [string, string?][] = [["https://user:pw@Example.com:8080/a/../b/./c?x=1&y=2#frag"], ["../up?q=1", "https://example.com/a/b/c"], ["HTTP://EXAMPLE.COM:80/%7Efoo"], ["mailto:someone@example.com"], ["https://例え.テスト/パス?キー=値"]];

// The same steps run in the isolate and in Node; the results must be equal.
const steps = `
  const parts = (url) => ({ href: url.href, origin: url.origin, protocol: url.protocol, username: url.username, password: url.password, host: url.host, hostname: url.hostname, port: url.port, pathname: url.pathname, search: url.search, hash: url.hash });
  const out = { params: [], urls: [] };
  for (const query of input.queries) {
    const params = new URLSearchParams(query);
    out.params.push({ entries: [...params], text: params.toString(), size: params.size, a: params.getAll("a") });
  }
  for (const [url, base] of input.urls) out.urls.push(parts(new URL(url, base)));
  const url = new URL("https://example.com/path?a=1&b=2");
  url.searchParams.append("c", "d e");
  url.searchParams.delete("a");
  const afterParams = url.href;
  url.search = "?z=9";
  const paramsAfterSearch = [...url.searchParams];
  url.port = "8443"; url.pathname = "/other"; url.hash = "h"; url.port = "not a port";
  const built = new URLSearchParams({ one: "1", two: "2 & 3" });
  built.set("one", "uno"); built.append("three", "3"); built.sort();
  out.linked = { afterParams, paramsAfterSearch, after: url.href, json: JSON.stringify({ url }), built: built.toString(), fromPairs: new URLSearchParams([["k", "v"], ["k", "w"]]).getAll("k"), has: [built.has("two"), built.has("two", "x")] };
  const caught = (fn) => { try { fn(); return "no error"; } catch (error) { return error instanceof TypeError ? "TypeError" : String(error); } };
  out.errors = [caught(() => new URL("not a url")), caught(() => new URL("/relative")), caught(() => new URLSearchParams([["only one"]])), URL.canParse("/x", "https://a.b"), URL.canParse("nope")];
  return out;
`;
const probe = `export function probe(request) { const input = JSON.parse(request.body.text()); return { body: (() => { ${steps} })() }; }`;

it("gives the same URLs and search params as Node, keeps searchParams linked, and throws TypeError on invalid input", async () => {
  const instance = testAppInstance({
    manifest: appManifestSchema.parse({ endpoints: { "/probe": { post: { js_module: "probe.js", js_function: "probe" } } } }),
    modules: { "probe.js": probe },
  });
  await instance.start();
  try {
    const body = Buffer.from(JSON.stringify({ queries, urls }));
    const response = await instance.handle({ ...getRequest("/probe"), method: "POST", body: new Uint8Array(body) });
    expect(response.status).toBe(200);
    const out = JSON.parse(Buffer.from(response.body).toString("utf8"));
    const inNode = new Function("input", steps)({ queries, urls });
    expect(out).toEqual(JSON.parse(JSON.stringify(inNode)));
    // Spelled out, so that both sides failing alike cannot pass unnoticed.
    expect(out.errors).toEqual(["TypeError", "TypeError", "TypeError", true, false]);
    expect(out.linked.fromPairs).toEqual(["v", "w"]);
  } finally {
    instance.dispose();
  }
});
