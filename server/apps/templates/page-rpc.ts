import type { AppTemplate } from "./template";

export const pageRpcTemplate: AppTemplate = {
  id: "page-rpc",
  name: "Page with RPC",
  description: "An app page (HTML, CSS, JS) that calls a server function through the appbridge.",
  files: (name) => ({
    "app.json": {
      name,
      version: "0.1.0",
      description: "A page that greets whoever opens it, from the server.",
      main: "main.ts",
      pages: {
        index: { file: "pages/index.html", title: name, placements: ["page"] },
      },
      permissions: ["rpc", "pages", "log"],
    },
    "src/main.ts": `// The server side of the page: functions the page may call with appbridge.rpc().

let visits = 0;

// "guest": anyone who can open the page may call it; "user" or "staff" would restrict it.
canopy.rpc.register("greet", "guest", (context, input) => {
  const name = typeof (input as { name?: unknown } | undefined)?.name === "string" ? (input as { name: string }).name.trim() : "";
  visits += 1;
  console.log(\`greet called by \${context.caller?.username ?? "a guest"} (visit \${visits})\`);
  return { message: \`Hello, \${name || context.caller?.displayName || "guest"}!\`, visits };
});
`,
    "pages/index.html": `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${name}</title>
    <link rel="stylesheet" href="style.css" />
    <script src="/appbridge.js"></script>
  </head>
  <body>
    <main>
      <h1>${name}</h1>
      <form id="greet-form">
        <label for="name">Your name</label>
        <input id="name" name="name" autocomplete="name" />
        <button type="submit">Greet me</button>
      </form>
      <p id="answer" role="status"></p>
    </main>
    <script src="page.js"></script>
  </body>
</html>
`,
    "pages/page.js": `// Runs in the page's iframe. appbridge.rpc() calls a function the server script registered.
const form = document.getElementById("greet-form");
const answer = document.getElementById("answer");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  answer.textContent = "…";
  try {
    const result = await appbridge.rpc("greet", { name: form.elements.name.value });
    answer.textContent = \`\${result.message} (visit \${result.visits})\`;
  } catch (error) {
    answer.textContent = \`Could not reach the app: \${error.message}\`;
  }
});
`,
    "pages/style.css": `body {
  font-family: system-ui, sans-serif;
  margin: 0;
  padding: 1.5rem;
}
main {
  max-width: 32rem;
  margin: 0 auto;
}
input,
button {
  font: inherit;
  min-height: 44px;
  padding: 0 0.75rem;
}
`,
    "README.md": `# ${name}

An app page that talks to its server script.

- \`pages/index.html\` is the page (listed under \`pages\` in \`app.json\`); \`pages/page.js\` and
  \`pages/style.css\` are its script and style. Pages run in an iframe and load \`/appbridge.js\`.
- \`src/main.ts\` registers \`greet\` with \`canopy.rpc.register\`; the page calls it with
  \`appbridge.rpc("greet", {...})\`.

Run the preview, then open the page from the preview panel.
`,
  }),
};
