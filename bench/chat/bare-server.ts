// The chat benchmark's reference: a bare Socket.IO broadcast server speaking just enough of the
// Ting protocol for the load generator (join → channel, message → io.to(room).emit) — no auth, no
// storage, no validation. Started as its own process by run.ts; prints {"listening": port}.
// BARE_RECOVERY=1 turns on the same connectionStateRecovery option Canopy's server uses.
import http from "node:http";
import { Server } from "socket.io";

const httpServer = http.createServer((_request, response) => {
  response.writeHead(404).end();
});
const io = new Server(httpServer, {
  cors: { origin: false },
  ...(process.env.BARE_RECOVERY === "1" ? { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false } } : {}),
});
const chat = io.of("/chat");
let nextId = 0;

chat.on("connection", (socket) => {
  socket.on("join", (payload: { channel?: unknown }) => {
    const channel = String(payload?.channel ?? "");
    void socket.join(channel);
    // Only the joiner hears its join: the reference measures message fan-out, not join storms.
    socket.emit("join", { username: "guest", channel });
    socket.emit("channel", { channel, participants: [] });
  });
  socket.on("message", (payload: { type?: unknown; target?: unknown; text?: unknown }, ack?: (response: unknown) => void) => {
    const target = String(payload?.target ?? "");
    const message = {
      id: String(++nextId),
      username: "bare",
      displayName: "bare",
      color: "#888888",
      type: "channel",
      target,
      text: String(payload?.text ?? ""),
      datetime: Date.now(),
    };
    chat.to(target).emit("message", message);
    if (typeof ack === "function") ack({ data: message });
  });
});

httpServer.listen(0, "127.0.0.1", () => {
  const address = httpServer.address();
  console.log(JSON.stringify({ listening: typeof address === "object" && address ? address.port : 0 }));
});

const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
