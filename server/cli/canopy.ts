// `npx canopy <command>`: the developer's command line.
//   bundle <dir> [--out <file>] [--disable-bytecode-cache]
//       builds CCF's set_js_app proposal from a local app folder (stdout, or --out)
//   propose <dir> --app <id> [--title <t>] [--changelog <text> | --changelog-file <file>]
//           [--server <url>] [--token <token>] [--disable-bytecode-cache]
//       builds the bundle and submits it as a deployment proposal. The server comes from --server
//       or CANOPY_SERVER_URL, the token from --token or CANOPY_TOKEN (an API token from the
//       account page). The token is sent only in the Authorization header and never printed.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { describeBundleIssue } from "../apps/bundle";
import { bundleDirectory, toSetJsAppProposal } from "./bundle-directory";

const usage = `Usage:
  npx canopy bundle <dir> [--out <file>] [--disable-bytecode-cache]
  npx canopy propose <dir> --app <id> [--title <title>] [--changelog <text> | --changelog-file <file>]
                     [--server <url>] [--token <token>] [--disable-bytecode-cache]
  Environment: CANOPY_SERVER_URL, CANOPY_TOKEN`;

class UsageError extends Error {}

function build(dir: string | undefined, disableBytecodeCache: boolean) {
  if (!dir) throw new UsageError("Name the app folder");
  const { bundle, issues } = bundleDirectory({ dir });
  if (issues.length) {
    const lines = issues.map((issue) => `  ${describeBundleIssue(issue)}`);
    throw new Error(`The bundle is not valid:\n${lines.join("\n")}`);
  }
  return { bundle, proposal: toSetJsAppProposal(bundle, disableBytecodeCache) };
}

async function propose(values: Record<string, string | boolean | undefined>, dir: string | undefined): Promise<void> {
  const { bundle, proposal } = build(dir, values["disable-bytecode-cache"] === true);
  const server = (values.server as string | undefined) ?? process.env.CANOPY_SERVER_URL;
  const token = (values.token as string | undefined) ?? process.env.CANOPY_TOKEN;
  const appId = values.app as string | undefined;
  if (!server) throw new UsageError("Give the server with --server or CANOPY_SERVER_URL");
  if (!token) throw new UsageError("Give an API token with --token or CANOPY_TOKEN");
  if (!appId) throw new UsageError("Name the app with --app");
  const metadata = (bundle.metadata ?? {}) as { name?: string; version?: string };
  const title = (values.title as string | undefined) ?? ([metadata.name ?? appId, metadata.version].filter(Boolean).join(" ") || appId);
  const changelog = values["changelog-file"] ? fs.readFileSync(values["changelog-file"] as string, "utf8") : ((values.changelog as string | undefined) ?? "");

  const url = new URL("/api/trpc/review.submitCcf", server);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ json: { appId, title, changelog, proposal } }),
    });
  } catch (error) {
    throw new Error(`Cannot reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json().catch(() => null)) as
    | { result?: { data?: { json?: { id: string; number: number; state: string; contentHash: string } } }; error?: { json?: { message?: string } } }
    | { error?: { message?: string } }
    | null;
  const created = body && "result" in body ? body.result?.data?.json : undefined;
  if (!response.ok || !created) {
    const error = body?.error as { json?: { message?: string }; message?: string } | undefined;
    throw new Error(`The server refused the proposal (HTTP ${response.status}): ${error?.json?.message ?? error?.message ?? "no details"}`);
  }
  process.stdout.write(`Proposal #${created.number} is ${created.state.toLowerCase()} (bundle ${created.contentHash.slice(0, 12)}): ${new URL(`/staff/proposals/${created.id}`, server)}\n`);
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      app: { type: "string" },
      title: { type: "string" },
      changelog: { type: "string" },
      "changelog-file": { type: "string" },
      server: { type: "string" },
      token: { type: "string" },
      "disable-bytecode-cache": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, dir] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (command === "bundle") {
    const { proposal } = build(dir, values["disable-bytecode-cache"] === true);
    const json = `${JSON.stringify(proposal, null, 2)}\n`;
    if (values.out) {
      fs.writeFileSync(values.out, json);
      process.stderr.write(`Wrote ${values.out} (${Buffer.byteLength(json)} bytes)\n`);
    } else process.stdout.write(json);
    return;
  }
  if (command === "propose") return propose(values, dir);
  throw new UsageError(`Unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`canopy: ${message}\n${error instanceof UsageError ? `${usage}\n` : ""}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
