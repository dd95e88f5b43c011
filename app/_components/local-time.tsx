"use client";

import { useHydrated } from "./use-hydrated";

const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function utcText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A date in the reader's own time zone (UTC until the page has hydrated). */
export function LocalTime({ value }: { value: Date | string | number }) {
  const hydrated = useHydrated();
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} title={utcText(date)}>
      {hydrated ? localFormat.format(date) : utcText(date)}
    </time>
  );
}

/** "12 s ago" style age of a timestamp, relative to `now` (ms). */
export function ago(timestamp: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - timestamp) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
