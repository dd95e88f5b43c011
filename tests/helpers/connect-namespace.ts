// A Socket.IO client connected to one namespace of a test server: its own connection (never a
// shared manager), over WebSocket, signed in by `cookie` when given, and no reconnecting.
import { io, type Socket } from "socket.io-client";

/** Resolves once connected; rejects with the server's refusal (connect_error). */
export function connectNamespace(url: string, namespace: string, cookie?: string): Promise<Socket> {
  const socket = io(`${url}${namespace}`, { transports: ["websocket"], forceNew: true, reconnection: false, extraHeaders: cookie ? { cookie } : {} });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}
