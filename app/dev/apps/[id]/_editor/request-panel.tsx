"use client";

// Calls the preview's endpoints like an HTTP client would (method, path, headers, body) and shows
// the answer (status, headers, body, time). The preview answers only its developer and staff, by
// the session cookie this request carries.
import { useMemo, useState } from "react";
import styles from "./editor.module.css";

const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

type Answer = { status: number; statusText: string; headers: [string, string][]; body: string; ms: number } | { error: string };

/** Endpoints declared in the editor's current app.json, for quick picking. */
function declaredEndpoints(appJson: string | undefined): { method: string; path: string }[] {
  try {
    const endpoints = (JSON.parse(appJson ?? "{}") as { endpoints?: Record<string, Record<string, unknown>> }).endpoints ?? {};
    return Object.entries(endpoints).flatMap(([path, byMethod]) => Object.keys(byMethod ?? {}).map((method) => ({ method: method.toUpperCase(), path })));
  } catch {
    return [];
  }
}

function parseHeaders(text: string): [string, string][] | string {
  const headers: [string, string][] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return `Header lines are "Name: value" (got "${line.trim()}")`;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

function prettyBody(body: string, contentType: string | undefined): string {
  if (contentType?.includes("json")) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

export function RequestPanel({ appId, appJson, running }: { appId: string; appJson: string | undefined; running: boolean }) {
  const [method, setMethod] = useState<string>("GET");
  const [path, setPath] = useState("/");
  const [headerText, setHeaderText] = useState("content-type: application/json");
  const [body, setBody] = useState("");
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [sending, setSending] = useState(false);
  const endpoints = useMemo(() => declaredEndpoints(appJson), [appJson]);

  const send = async (event: React.FormEvent) => {
    event.preventDefault();
    const headers = parseHeaders(headerText);
    if (typeof headers === "string") return setAnswer({ error: headers });
    const cleanPath = `/${path.trim().replace(/^\/+/, "")}`;
    setSending(true);
    const started = performance.now();
    try {
      const response = await fetch(`/apps/${encodeURIComponent(appId)}/preview/api${cleanPath === "/" ? "" : cleanPath}`, {
        method,
        headers,
        body: method === "GET" || method === "HEAD" ? undefined : body,
        credentials: "same-origin",
        redirect: "manual",
      });
      const text = await response.text();
      setAnswer({
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers.entries()],
        body: prettyBody(text, response.headers.get("content-type") ?? undefined),
        ms: performance.now() - started,
      });
    } catch (error) {
      setAnswer({ error: `The request failed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      setSending(false);
    }
  };

  return (
    <form className={styles.request} onSubmit={send} aria-label="Request to the preview">
      {!running ? <p className="alert alert-info small">The preview is not running: run it first, or the request answers with an error.</p> : null}
      {endpoints.length ? (
        <div className="button-row" aria-label="Endpoints in app.json">
          {endpoints.map((endpoint) => (
            <button
              key={`${endpoint.method} ${endpoint.path}`}
              type="button"
              className="button button-small button-ghost"
              onClick={() => {
                setMethod(endpoint.method);
                setPath(endpoint.path);
              }}
            >
              <code>
                {endpoint.method} {endpoint.path}
              </code>
            </button>
          ))}
        </div>
      ) : null}
      <div className={styles.requestLine}>
        <label className="visually-hidden" htmlFor="request-method">
          Method
        </label>
        <select id="request-method" className="select" value={method} onChange={(event) => setMethod(event.target.value)}>
          {methods.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
        <label className="visually-hidden" htmlFor="request-path">
          Path
        </label>
        <span className="small muted">/api</span>
        <input id="request-path" className="input input-mono" value={path} onChange={(event) => setPath(event.target.value)} autoCapitalize="off" autoCorrect="off" spellCheck={false} />
        <button type="submit" className="button button-primary" disabled={sending} aria-busy={sending}>
          Send
        </button>
      </div>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="request-headers">Headers (one “Name: value” a line)</label>
          <textarea id="request-headers" className="input input-mono" rows={3} value={headerText} onChange={(event) => setHeaderText(event.target.value)} spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="request-body">Body</label>
          <textarea id="request-body" className="input input-mono" rows={3} value={body} onChange={(event) => setBody(event.target.value)} spellCheck={false} disabled={method === "GET" || method === "HEAD"} />
        </div>
      </div>
      {answer ? (
        "error" in answer ? (
          <p className="alert alert-error" role="alert">
            {answer.error}
          </p>
        ) : (
          <section aria-label="Response" className={styles.response}>
            <p>
              <strong data-testid="response-status">
                {answer.status} {answer.statusText}
              </strong>{" "}
              <span className="small muted">in {answer.ms.toFixed(0)} ms</span>
            </p>
            <details>
              <summary>Headers ({answer.headers.length})</summary>
              <pre>{answer.headers.map(([name, value]) => `${name}: ${value}`).join("\n")}</pre>
            </details>
            <pre data-testid="response-body">{answer.body || "(empty body)"}</pre>
          </section>
        )
      ) : null}
    </form>
  );
}
