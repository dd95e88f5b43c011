// A process's connection to the server's /internal namespace: authenticates with the shared
// secret, reconnects by itself (Socket.IO), and exposes a typed bus endpoint.
import { io, type Socket } from "socket.io-client";
import { createBusEndpoint, type BusEndpoint } from "../server/internal/bus-endpoint";
import type { InternalClientToServerEvents, InternalServerToClientEvents } from "../server/internal/events";
import type { Envelope } from "../server/internal/protocol";

export type BusClient = { socket: Socket<InternalServerToClientEvents, InternalClientToServerEvents>; bus: BusEndpoint };

export function connectBus(options: {
  serverUrl: string;
  secret: string;
  label: string;
  reconnection?: boolean;
  onRefused?: (message: string) => void;
}): BusClient {
  const socket: Socket<InternalServerToClientEvents, InternalClientToServerEvents> = io(`${options.serverUrl}/internal`, {
    auth: { secret: options.secret, label: options.label },
    transports: ["websocket"],
    reconnection: options.reconnection ?? true,
    reconnectionDelay: 250,
    reconnectionDelayMax: 2000,
  });
  const bus = createBusEndpoint({
    label: options.label,
    send: (envelope) => {
      socket.emit("api-message", envelope);
    },
  });
  socket.on(options.label, (envelope) => void bus.receive(envelope));
  socket.on("error", (payload) => options.onRefused?.(String((payload as { message?: unknown }).message)));
  socket.on("disconnect", () => bus.failPending("Connection to the server was lost"));
  return { socket, bus };
}

export type { Envelope };
