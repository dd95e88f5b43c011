import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { services } from "@/server/services";
import { serviceStatus } from "@/server/status/service-status";
import { DataTable, type Column } from "../_components/data-table";
import { requireUser } from "../_lib/current-user";
import { roleLabel } from "../_lib/services-info";
import { AppList } from "./app-list";

export const metadata: Metadata = { title: "Dev hub" };
export const dynamic = "force-dynamic";

type Endpoint = { method: string; path: string; auth: string; returns: ReactNode };

const publicEndpoints: Endpoint[] = [
  {
    method: "GET",
    path: "/api/external/",
    auth: "None",
    // One child: stacked table cells lay their children out in a row.
    returns: (
      <span>
        Status of each service (<code>api</code>, <code>web</code>, <code>chat</code>, <code>ingest</code>, <code>apps</code>, <code>render</code>,{" "}
        <code>worker</code>): <code>alive</code>, <code>dead</code> or <code>zombie</code>
      </span>
    ),
  },
];

const endpointColumns: Column<Endpoint>[] = [
  { label: "Method", cell: (endpoint) => <code>{endpoint.method}</code> },
  {
    label: "Path",
    cell: (endpoint) => (
      <a href={endpoint.path}>
        <code>{endpoint.path}</code>
      </a>
    ),
  },
  { label: "Auth", cell: (endpoint) => endpoint.auth },
  { label: "Returns", cell: (endpoint) => endpoint.returns },
];

/** The origin the visitor reached us on, for copy-pasteable examples. */
async function siteOrigin(): Promise<string> {
  const requestHeaders = await headers();
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost:3000";
  const proto = requestHeaders.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? "http";
  return `${proto}://${host}`;
}

export default async function DevPage() {
  const user = await requireUser("/dev");
  const origin = await siteOrigin();
  const statusExample = JSON.stringify(serviceStatus({ registry: services().registry }), null, 2);

  return (
    <div className="stack">
      <header className="page-header">
        <p className="eyebrow">Dev hub</p>
        <h1>Build on Canopy</h1>
        <p>
          Signed in as <strong>{user.username}</strong> · your role: <span className="role-badge">{roleLabel[user.role]}</span>
        </p>
      </header>

      <AppList />

      <div className="grid-2">
        <section className="card" aria-labelledby="tokens-title">
          <h2 id="tokens-title">Tokens for the CLI and scripts</h2>
          <p>
            Scripts and the command-line tools authenticate with a personal API token. Create one on your account page; it
            is shown only once.
          </p>
          <p>
            <Link href="/account#tokens" className="button button-primary">
              Manage API tokens
            </Link>
          </p>
          <p className="muted small">Send the token in the Authorization header. To check that it works:</p>
          <pre>
            <code>{`curl -H "Authorization: Bearer <token>" \\\n  ${origin}/api/trpc/account.me`}</code>
          </pre>
        </section>
      </div>

      <section className="card" aria-labelledby="api-title">
        <h2 id="api-title">Public API</h2>
        <p className="muted">These endpoints need no sign-in.</p>
        <DataTable rows={publicEndpoints} rowKey={(endpoint) => endpoint.path} columns={endpointColumns} empty="No public endpoints." />
        <h3 style={{ marginTop: "1.25rem" }}>Example</h3>
        <pre>
          <code>{`curl ${origin}/api/external/`}</code>
        </pre>
        <p className="muted small">Response right now:</p>
        <pre>
          <code>{statusExample}</code>
        </pre>
      </section>
    </div>
  );
}
