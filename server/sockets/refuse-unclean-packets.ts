// Socket.IO middleware for the public namespaces: an event whose payload is unclean
// (refuse-unclean-input.ts) is answered with an `error` event and an ack error, as the handlers
// answer a payload their schema refuses, and never reaches a handler.
import type { Socket } from "socket.io";
import { AppError, socketErrorOf } from "../errors";
import { uncleanInputReason } from "../input/refuse-unclean-input";
import { takeAck } from "./take-ack";

export function refuseUncleanPackets(socket: Socket) {
  return (packet: unknown[], next: (error?: Error) => void): void => {
    const [event, ...args] = packet;
    const ack = takeAck(args);
    const reason = uncleanInputReason(args);
    if (!reason) return next();
    const refused = { ...socketErrorOf(new AppError("BAD_REQUEST", `Invalid ${String(event)}: ${reason}`)), event: String(event) };
    socket.emit("error", refused);
    ack?.({ error: refused });
  };
}
