import { useSyncExternalStore } from "react";

const subscribers = new Map<number, (listener: () => void) => () => void>();

function subscribeEvery(periodMs: number) {
  let subscribe = subscribers.get(periodMs);
  if (!subscribe) {
    subscribe = (listener) => {
      const timer = setInterval(listener, periodMs);
      return () => clearInterval(timer);
    };
    subscribers.set(periodMs, subscribe);
  }
  return subscribe;
}

/** The current time in ms, updated every `periodMs`; null while rendering on the server and
 *  hydrating, so ticking values ("live for 1:02:03") never cause a hydration mismatch. */
export function useNow(periodMs = 1000): number | null {
  return useSyncExternalStore(
    subscribeEvery(periodMs),
    () => Math.floor(Date.now() / periodMs) * periodMs,
    () => null,
  );
}
