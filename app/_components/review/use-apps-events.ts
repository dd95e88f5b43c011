"use client";

// Listens on the /apps namespace for review events addressed to the signed-in user.
import { useEffect, useRef } from "react";
import { io, type Socket } from "socket.io-client";
import type { AppsServerToClientEvents } from "@/server/apps/events";

type Handlers = Partial<AppsServerToClientEvents>;

export function useAppsEvents(handlers: Handlers): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const socket: Socket<AppsServerToClientEvents> = io("/apps", { transports: ["websocket", "polling"], tryAllTransports: true });
    socket.on("notification", (event) => latest.current.notification?.(event));
    socket.on("proposal:progress", (event) => latest.current["proposal:progress"]?.(event));
    return () => {
      socket.disconnect();
    };
  }, []);
}
