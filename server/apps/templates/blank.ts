import type { AppTemplate } from "./template";

export const blankTemplate: AppTemplate = {
  id: "blank",
  name: "Blank",
  description: "An app.json, a server script that logs when it starts, and a README. Start from nothing.",
  files: (name) => ({
    "app.json": {
      name,
      version: "0.1.0",
      main: "main.ts",
      permissions: ["log"],
    },
    "src/main.ts": `// The app's long-lived server script: it starts with the app and keeps running.
// The \`canopy\` global is the platform API; hover over it or type "canopy." to explore.

console.log("${name} started");
`,
    "README.md": `# ${name}

A blank Canopy app.

- \`app.json\` describes the app: its server script (\`main\`), HTTP endpoints, pages and the
  platform permissions it needs.
- \`src/main.ts\` is the server script. It runs in a sandbox on Canopy; \`console.log\` output shows
  in the editor's console while the preview runs.

Press **Run** to start the preview, **Save** to keep your changes (the preview restarts).
`,
  }),
};
