// A process's connection to the server's /internal namespace: authenticates with the shared
// secret, reconnects by itself (Socket.IO), and exposes a typed bus endpoint. Given several
// server nodes, it tries the next one on each reconnection attempt, so a worker whose node died
// moves to a live node.
import { io, type Socket } from "socket.io-client";
import { createBusEndpoint, type BusEndpoint } from "../server/internal/bus-endpoint";
import type { InternalClientToServerEvents, InternalServerToClientEvents } from "../server/internal/events";
import type { Envelope } from "../server/internal/protocol";

export type BusClient = {
  socket: Socket<InternalServerToClientEvents, InternalClientToServerEvents>;
  bus: BusEndpoint;
  /** The server node connected to (or tried) now. */
  serverUrl(): string;
};

export function connectBus(options: {
  /** One server node (or a load balancer), or several nodes of a cluster. */
  serverUrl: string | string[];
  secret: string;
  label: string;
  reconnection?: boolean;
  onRefused?: (message: string) => void;
  /** The server's message limit (MAX_BODY_BYTES): larger messages are refused here, before they cost the connection. */
  maxMessageBytes?: number;
}): BusClient {
  const urls = [options.serverUrl].flat();
  if (!urls.length) throw new Error("connectBus needs a server URL");
  let current = 0;
  const socket: Socket<InternalServerToClientEvents, InternalClientToServerEvents> = io(`${urls[0]}/internal`, {
    auth: { secret: options.secret, label: options.label },
    transports: ["websocket"],
    reconnection: options.reconnection ?? true,
    reconnectionDelay: 250,
    reconnectionDelayMax: 2000,
  });
  const bus = createBusEndpoint({
    label: options.label,
    maxMessageBytes: options.maxMessageBytes,
    send: (envelope) => {
      socket.emit("api-message", envelope);
    },
  });
  socket.on(options.label, (envelope) => void bus.receive(envelope));
  socket.on("error", (payload) => options.onRefused?.(String((payload as { message?: unknown }).message)));
  socket.on("disconnect", () => bus.failPending("Connection to the server was lost"));
  if (urls.length > 1) {
    socket.io.on("reconnect_attempt", () => {
      current = (current + 1) % urls.length;
      // The manager opens each attempt's connection to its `uri`: point it at the next node.
      (socket.io as unknown as { uri: string }).uri = `${urls[current]}/internal`;
    });
  }
  return { socket, bus, serverUrl: () => urls[current]! };
}

export type { Envelope };
