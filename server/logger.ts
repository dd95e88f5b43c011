// Structured one-line logs. Secrets never go through here: callers log ids, never keys or tokens.
import { env } from "./env";

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof levels, "silent">;

export type Logger = Record<Level, (message: string, fields?: Record<string, unknown>) => void> & {
  child(scope: string): Logger;
};

export function createLogger(scope: string): Logger {
  const threshold = levels[env().LOG_LEVEL];
  const write = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (levels[level] < threshold) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, scope, message, ...fields });
    (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (child) => createLogger(`${scope}:${child}`),
  };
}
