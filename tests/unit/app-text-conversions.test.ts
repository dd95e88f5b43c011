// Text conversions in a real isolate: short text is converted inside the isolate, long text by the
// host; both must give the same bytes and strings, and wrong arguments a TypeError the app can catch.
import { expect, it } from "vitest";
import { appManifestSchema } from "@/server/apps/manifest";
import { utf8InIsolateMaxLength } from "@/worker/apps/isolate-utf8";
import { getRequest, testAppInstance } from "../helpers/app-instance";

const convert = `export function convert(request) {
  const hex = (buffer) => Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
  const caught = (fn) => { try { fn(); return "no error"; } catch (error) { return error instanceof TypeError ? "TypeError: " + error.message : String(error); } };
  const results = {};
  for (const length of [1, ${utf8InIsolateMaxLength}, ${utf8InIsolateMaxLength + 1}, 20000]) {
    const text = "aé€😀\\ud800".repeat(Math.ceil(length / 6)).slice(0, length);
    const buffer = ccf.strToBuf(text);
    results[length] = {
      hexStart: hex(buffer.slice(0, 24)), hexEnd: hex(buffer.slice(-24)), bytes: buffer.byteLength,
      roundTrip: ccf.bufToStr(buffer), encoder: hex(new TextEncoder().encode(text).buffer) === hex(buffer),
      decoder: new TextDecoder().decode(new Uint8Array(buffer)), json: ccf.bufToJsonCompatible(ccf.jsonCompatibleToBuf({ text })).text,
    };
  }
  results.errors = [caught(() => ccf.strToBuf(42)), caught(() => ccf.bufToStr("text")), caught(() => ccf.bufToJsonCompatible(new Uint8Array(2)))];
  results.body = request.body.text();
  return { body: results };
}`;

it("converts text the same inside the isolate and through the host, and refuses wrong arguments", async () => {
  const instance = testAppInstance({
    manifest: appManifestSchema.parse({ endpoints: { "/convert": { post: { js_module: "convert.js", js_function: "convert" } } } }),
    modules: { "convert.js": convert },
  });
  await instance.start();
  try {
    const body = Buffer.from([0x68, 0xc3, 0xa9, 0xff, 0xf0, 0x9f, 0x98]);
    const response = await instance.handle({ ...getRequest("/convert"), method: "POST", body: new Uint8Array(body) });
    expect(response.status).toBe(200);
    const results = JSON.parse(Buffer.from(response.body).toString("utf8"));
    for (const length of [1, utf8InIsolateMaxLength, utf8InIsolateMaxLength + 1, 20000]) {
      const text = "aé€😀\ud800".repeat(Math.ceil(length / 6)).slice(0, length);
      const expected = Buffer.from(text, "utf8");
      const normalised = expected.toString("utf8");
      expect(results[length]).toEqual({
        hexStart: expected.subarray(0, 24).toString("hex"),
        hexEnd: expected.subarray(-24).toString("hex"),
        bytes: expected.length,
        roundTrip: normalised,
        encoder: true,
        decoder: normalised,
        // JSON escapes lone surrogates, so they survive the trip unchanged.
        json: text,
      });
    }
    expect(results.errors).toEqual(["TypeError: value must be a string", "TypeError: value must be an ArrayBuffer", "TypeError: value must be an ArrayBuffer"]);
    expect(results.body).toBe(body.toString("utf8"));
  } finally {
    instance.dispose();
  }
});
