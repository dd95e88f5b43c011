import type { AppTemplate } from "./template";

export const httpEndpointsTemplate: AppTemplate = {
  id: "http-endpoints",
  name: "HTTP endpoints",
  description: "A small JSON API (CCF-style endpoints): list, read and add notes, stored in the app's key-value store.",
  files: (name) => ({
    "app.json": {
      name,
      version: "0.1.0",
      description: "A notes API.",
      endpoints: {
        "/notes": {
          get: { js_module: "notes.ts", js_function: "listNotes", authn_policies: ["no_auth"], mode: "readonly" },
          post: { js_module: "notes.ts", js_function: "addNote", authn_policies: ["user"], mode: "readwrite" },
        },
        "/notes/{id}": {
          get: { js_module: "notes.ts", js_function: "getNote", authn_policies: ["no_auth"], mode: "readonly" },
        },
      },
      permissions: ["kv", "log"],
    },
    "src/notes.ts": `// Endpoint handlers. Each request runs as one transaction on the app's key-value store:
// committed when the handler returns, discarded when it throws.

type Note = { id: string; text: string; author: string; at: number };

// A CCF key-value map; keys and values are ArrayBuffers, hence ccf.strToBuf / jsonCompatibleToBuf.
const notes = ccf.kv["notes"];

export function listNotes(): CanopyResponse {
  const all: Note[] = [];
  notes.forEach((value) => all.push(ccf.bufToJsonCompatible(value) as Note));
  return { body: all.sort((a, b) => b.at - a.at) };
}

export function getNote(request: CanopyRequest): CanopyResponse {
  const value = notes.get(ccf.strToBuf(request.params.id));
  if (!value) return { statusCode: 404, body: { error: "No such note" } };
  return { body: ccf.bufToJsonCompatible(value) };
}

export function addNote(request: CanopyRequest): CanopyResponse {
  const input = request.body.json() as { text?: unknown };
  if (typeof input?.text !== "string" || !input.text.trim()) {
    return { statusCode: 400, body: { error: "Send {\\"text\\": \\"…\\"}" } };
  }
  const note: Note = { id: crypto.randomUUID(), text: input.text.trim(), author: request.caller?.username ?? "unknown", at: Date.now() };
  notes.set(ccf.strToBuf(note.id), ccf.jsonCompatibleToBuf(note));
  console.log(\`note \${note.id} added by \${note.author}\`);
  return { statusCode: 201, body: note };
}
`,
    "README.md": `# ${name}

A JSON API made of CCF-style endpoints, declared in \`app.json\` under \`endpoints\`:

| Method | Path | Who | Handler |
|---|---|---|---|
| GET | /notes | anyone | \`listNotes\` |
| POST | /notes | signed-in users | \`addNote\` |
| GET | /notes/{id} | anyone | \`getNote\` |

Handlers live in \`src/notes.ts\`. They get the request (\`params\`, \`query\`, \`headers\`, \`body\`,
\`caller\`) and return \`{statusCode, headers, body}\`; an object body is sent as JSON.

Try them in the editor's request panel while the preview runs, e.g. \`POST /notes\` with the body
\`{"text": "hello"}\`, then \`GET /notes\`.
`,
  }),
};
