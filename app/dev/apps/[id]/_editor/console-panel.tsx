"use client";

// The preview's live log: console output, errors with stack lines mapped to the developer's
// source (tap one to open the file at that line) and per-request execution metrics. Streams over
// the /apps namespace; after a reconnect it asks for what it missed by sequence number.
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { AppLogEntry } from "@/server/apps/runtime-contract";
import styles from "./editor.module.css";

type Ack = { data: { entries: AppLogEntry[] } } | { error: { code: string; message: string } };
const maxEntries = 1000;

export function useAppLogs(appId: string) {
  const [entries, setEntries] = useState<AppLogEntry[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const lastSeq = useRef<number | undefined>(undefined);

  useEffect(() => {
    const socket: Socket = io("/apps", { transports: ["websocket", "polling"], withCredentials: true });
    const append = (incoming: AppLogEntry[]) => {
      const fresh = incoming.filter((entry) => lastSeq.current === undefined || entry.seq > lastSeq.current);
      if (!fresh.length) return;
      lastSeq.current = fresh[fresh.length - 1]!.seq;
      setEntries((previous) => [...previous, ...fresh].slice(-maxEntries));
    };
    const subscribe = async () => {
      try {
        const ack = (await socket.timeout(10_000).emitWithAck("logs:subscribe", { appId, target: "preview", afterSeq: lastSeq.current })) as Ack;
        if ("error" in ack) setProblem(ack.error.message);
        else {
          setProblem(null);
          append(ack.data.entries);
        }
      } catch {
        setProblem("The log stream did not answer; retrying when the connection is back.");
      }
    };
    socket.on("connect", () => {
      setConnected(true);
      void subscribe();
    });
    socket.on("disconnect", () => setConnected(false));
    socket.on("log", (message: { appId: string; target: string; entry: AppLogEntry }) => {
      if (message.appId === appId && message.target === "preview") append([message.entry]);
    });
    return () => {
      socket.emit("logs:unsubscribe", { appId, target: "preview" });
      socket.close();
    };
  }, [appId]);

  return { entries, problem, connected, clear: () => setEntries([]) };
}

function entryText(entry: AppLogEntry): string {
  if (entry.level === "metric" && entry.metrics) {
    const { method, path, status, execMs } = entry.metrics;
    return `${method.toUpperCase()} ${path} → ${status} in ${execMs.toFixed(1)} ms`;
  }
  return entry.message;
}

export function ConsolePanel({ logs, onOpenSource }: { logs: ReturnType<typeof useAppLogs>; onOpenSource: (path: string, line: number, column?: number) => void }) {
  const [filter, setFilter] = useState<"all" | "errors" | "metrics">("all");
  const listRef = useRef<HTMLOListElement>(null);
  const shown = logs.entries.filter((entry) =>
    filter === "all" ? true : filter === "errors" ? entry.level === "error" || entry.level === "violation" || entry.level === "warn" : entry.level === "metric",
  );

  // Follow new output: scroll the panel (never the page) to its end.
  useEffect(() => {
    const scroller = listRef.current?.closest("[role=tabpanel]");
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }, [shown.length]);

  return (
    <div className={styles.console}>
      <div className="button-row">
        <label className="small" htmlFor="console-filter">
          Show
        </label>
        <select id="console-filter" className="select" value={filter} onChange={(event) => setFilter(event.target.value as typeof filter)}>
          <option value="all">Everything</option>
          <option value="errors">Warnings and errors</option>
          <option value="metrics">Request metrics</option>
        </select>
        <button type="button" className="button button-small" onClick={logs.clear}>
          Clear
        </button>
        <span className="small muted" role="status">
          {logs.connected ? "Live" : "Connecting…"}
        </span>
      </div>
      {logs.problem ? <p className="alert alert-warn small">{logs.problem}</p> : null}
      <ol ref={listRef} className={styles.logList} aria-label="Preview log" aria-live="polite">
        {shown.length === 0 ? <li className="muted small">No output yet. Run the preview; console.log lines appear here.</li> : null}
        {shown.map((entry) => (
          <li key={entry.seq} className={styles.logEntry} data-level={entry.level}>
            <span className={styles.logTime}>{new Date(entry.at).toLocaleTimeString()}</span>
            <span className={styles.logLevel}>{entry.level}</span>
            <span className={styles.logMessage}>{entryText(entry)}</span>
            {entry.stack?.length ? (
              <ul className={styles.stack}>
                {entry.stack.map((frame, index) => (
                  <li key={index}>
                    <button type="button" className={styles.stackLink} onClick={() => onOpenSource(`src/${frame.module}`, frame.line, frame.column)}>
                      at {frame.functionName ?? "<anonymous>"} (src/{frame.module}:{frame.line}
                      {frame.column ? `:${frame.column}` : ""})
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
