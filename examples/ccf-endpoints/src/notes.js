// CCF's programming model: each endpoint is an exported function taking the request and
// returning {statusCode, headers, body}; state lives in ccf.kv maps of ArrayBuffers. Each request
// is one transaction: a handler that throws changes nothing.
const notes = ccf.kv["notes"];
const meta = ccf.kv["meta"];

const key = (id) => ccf.strToBuf(String(id));
const read = (id) => (notes.has(key(id)) ? ccf.bufToJsonCompatible(notes.get(key(id))) : null);

export function listNotes() {
  const list = [];
  notes.forEach((value) => list.push(ccf.bufToJsonCompatible(value)));
  list.sort((a, b) => a.id - b.id);
  return { body: list };
}

export function createNote(request) {
  let input;
  try {
    input = request.body.json();
  } catch {
    return { statusCode: 400, body: { error: "Send JSON: {\"text\": \"…\"}" } };
  }
  if (typeof input?.text !== "string" || !input.text.trim() || input.text.length > 500) {
    return { statusCode: 400, body: { error: "text must be 1 to 500 characters" } };
  }
  const next = meta.has(ccf.strToBuf("next")) ? ccf.bufToJsonCompatible(meta.get(ccf.strToBuf("next"))) : 1;
  const note = { id: next, text: input.text.trim(), author: request.caller?.username ?? null };
  notes.set(key(next), ccf.jsonCompatibleToBuf(note));
  meta.set(ccf.strToBuf("next"), ccf.jsonCompatibleToBuf(next + 1));
  return { statusCode: 201, headers: { location: `/notes/${next}` }, body: note };
}

export function getNote(request) {
  const note = read(request.params.id);
  return note ? { body: note } : { statusCode: 404, body: { error: `No note ${request.params.id}` } };
}

export function deleteNote(request) {
  if (!notes.has(key(request.params.id))) return { statusCode: 404, body: { error: `No note ${request.params.id}` } };
  notes.delete(key(request.params.id));
  return { statusCode: 204 };
}

// With interpreter_reuse the module stays loaded between requests: `calls` counts them.
let calls = 0;
export function echo(request) {
  calls += 1;
  return { headers: { "content-type": "text/plain" }, body: `${request.params.word} (${calls})` };
}
