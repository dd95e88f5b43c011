// `npm run user -- <command>`: account administration from the shell.
//   create <username> --password <pw> [--role member|developer|staff]
//   set-role <username> <member|developer|staff>
//   list
// With the embedded database the running server owns it, so the CLI asks the server over the
// internal bus; when no server runs (or on PostgreSQL) it opens the database itself.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createUser } from "../accounts/create-user";
import { listUsers } from "../accounts/list-users";
import { passwordSchema, roleSchema, usernameSchema, type Role } from "../accounts/schemas";
import { setRole } from "../accounts/set-role";
import type { PublicUser } from "../accounts/public-user";
import { openDatabase } from "../db/client";
import { env } from "../env";
import { isAppError } from "../errors";
import { loadSecrets } from "../secrets";
import { connectBus } from "../../worker/bus-client";

type Command =
  | { name: "create"; username: string; password: string; role: Role }
  | { name: "set-role"; username: string; role: Role }
  | { name: "list" };

const usage = `Usage:
  npm run user -- create <username> --password <password> [--role member|developer|staff]
  npm run user -- set-role <username> <member|developer|staff>
  npm run user -- list`;

function parseCommand(argv: string[]): Command {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { password: { type: "string" }, role: { type: "string" } },
  });
  const [name, username, role] = positionals;
  const parseRole = (value: string | undefined) => roleSchema.parse((value ?? "member").toUpperCase());
  if (name === "create") {
    return { name, username: usernameSchema.parse(username), password: passwordSchema.parse(values.password), role: parseRole(values.role) };
  }
  if (name === "set-role") return { name, username: usernameSchema.parse(username), role: parseRole(role) };
  if (name === "list") return { name };
  throw new Error(usage);
}

/** The running server that owns the embedded database, if any. */
function runningServer(dataDir: string): { port: number } | undefined {
  const file = path.join(dataDir, "server.json");
  if (!fs.existsSync(file)) return undefined;
  const { pid, port } = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number; port: number };
  try {
    process.kill(pid, 0);
    return { port };
  } catch {
    return undefined;
  }
}

async function runViaServer(command: Command, port: number, dataDir: string): Promise<PublicUser | PublicUser[]> {
  const config = env();
  const secrets = loadSecrets({ dataDir, internalSecret: config.INTERNAL_SECRET });
  const { socket, bus } = connectBus({ serverUrl: `http://127.0.0.1:${port}`, secret: secrets.internalSecret, label: `cli:${process.pid}`, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (error) => reject(new Error(`Cannot reach the server on port ${port}: ${error.message}`)));
  });
  try {
    if (command.name === "create") return await bus.ask("web-api", "userCreate", { username: command.username, password: command.password, role: command.role });
    if (command.name === "set-role") return await bus.ask("web-api", "userSetRole", { username: command.username, role: command.role });
    return await bus.ask("web-api", "userList", undefined);
  } finally {
    socket.close();
  }
}

async function runDirect(command: Command, dataDir: string): Promise<PublicUser | PublicUser[]> {
  const db = await openDatabase({ databaseUrl: env().DATABASE_URL, dataDir });
  try {
    if (command.name === "create") return await createUser({ prisma: db.prisma, ...command });
    if (command.name === "set-role") return await setRole({ prisma: db.prisma, ...command });
    return await listUsers({ prisma: db.prisma, limit: 1000 });
  } finally {
    await db.close();
  }
}

function print(result: PublicUser | PublicUser[]): void {
  for (const user of Array.isArray(result) ? result : [result]) {
    console.log(`${user.username}\t${user.role.toLowerCase()}\t${user.displayName}`);
  }
}

async function main(): Promise<void> {
  const command = parseCommand(process.argv.slice(2));
  const config = env();
  const dataDir = path.resolve(config.DATA_DIR);
  const server = config.DATABASE_URL ? undefined : runningServer(dataDir);
  print(server ? await runViaServer(command, server.port, dataDir) : await runDirect(command, dataDir));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const issues = (error as { issues?: Array<{ message: string }> }).issues;
    console.error(issues ? issues.map((issue) => issue.message).join("\n") : isAppError(error) || error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
