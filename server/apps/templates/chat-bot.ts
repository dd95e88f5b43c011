import type { AppTemplate } from "./template";

export const chatBotTemplate: AppTemplate = {
  id: "chat-bot",
  name: "Chat bot",
  description: "A server script that answers !commands in chat and counts them in the app's key-value store.",
  files: (name) => ({
    "app.json": {
      name,
      version: "0.1.0",
      description: "Answers !hello and !count in chat.",
      main: "bot.ts",
      permissions: ["chat", "kv", "log"],
    },
    "src/bot.ts": `// A chat bot: the server script starts with the app and listens to chat messages.
import { reply } from "./commands";

canopy.chat.on("message", async (message) => {
  if (message.system) return;
  const answer = await reply(message.text, message.displayName || message.username);
  if (!answer) return;
  await canopy.chat.send(message.channel, answer);
  console.log(\`answered \${message.text.trim()} in #\${message.channel}\`);
});

console.log("chat bot ready: say !hello or !count in a channel");
`,
    "src/commands.ts": `// Commands the bot understands. Kept apart from bot.ts so they are easy to read and test.

/** The bot's answer to a chat message, or null when it is not a command. */
export async function reply(text: string, username: string): Promise<string | null> {
  const command = text.trim().split(/\\s+/)[0]?.toLowerCase();
  if (command === "!hello") return \`Hello, \${username}!\`;
  if (command === "!count") {
    const count = Number((await canopy.kv.get("count")) ?? 0) + 1;
    await canopy.kv.set("count", count);
    return \`Commands answered so far: \${count}\`;
  }
  return null;
}
`,
    "README.md": `# ${name}

A chat bot for Canopy.

- \`src/bot.ts\` listens to chat with \`canopy.chat.on("message", …)\` and answers with \`canopy.chat.send\`.
- \`src/commands.ts\` holds the commands: \`!hello\` greets, \`!count\` counts answers in the app's
  key-value store (\`canopy.kv\`).
- \`app.json\` asks for the \`chat\`, \`kv\` and \`log\` permissions; staff see them when they review
  a deployment.

Run the preview and type \`!hello\` in any channel: the preview hears only your own messages
and its answers reach only you (marked "preview — only you see this"). Once deployed, the bot
hears the channels whose owner (or staff) enabled it in the channel settings. Every answer the
bot sends is logged in the console.
`,
  }),
};
