// The /internal namespace: only processes that know the shared secret connect. Each joins the
// room of its label; envelopes addressed to the server are answered by its bus endpoint, others
// are relayed to their target's room.
import type { Namespace, Server } from "socket.io";
import type { Logger } from "../logger";
import { secretsEqual } from "../secrets";
import type { ServiceRegistry } from "../status/registry";
import { createBusEndpoint, type BusEndpoint } from "./bus-endpoint";
import type {
  InternalClientToServerEvents,
  InternalInterServerEvents,
  InternalServerToClientEvents,
  InternalSocketData,
} from "./events";
import { envelopeSchema, serverLabel, type Envelope } from "./protocol";
import { describeIssues } from "../errors";

export type InternalNamespace = Namespace<
  InternalClientToServerEvents,
  InternalServerToClientEvents,
  InternalInterServerEvents,
  InternalSocketData
>;

const labelPattern = /^[a-z][a-z0-9:_-]{0,127}$/i;

export function createInternalNamespace(
  io: Server,
  deps: { secret: string; registry: ServiceRegistry; logger: Logger; onWorkerGone?: (workerId: string) => void },
): { namespace: InternalNamespace; bus: BusEndpoint } {
  const namespace: InternalNamespace = io.of("/internal");
  const log = deps.logger;

  const bus = createBusEndpoint({
    label: serverLabel,
    send: (envelope: Envelope) => {
      namespace.to(envelope.target).emit(envelope.target, envelope);
    },
    onInvalid: (reason) => log.debug("internal message refused", { reason }),
  });

  namespace.use((socket, next) => {
    const auth = socket.handshake.auth as Partial<Record<string, unknown>>;
    const secret = typeof auth.secret === "string" ? auth.secret : "";
    const label = typeof auth.label === "string" ? auth.label : "";
    if (!secret || !secretsEqual(secret, deps.secret)) {
      log.warn("internal connection refused: wrong secret", { address: socket.handshake.address });
      return next(new Error("unauthorized"));
    }
    if (!labelPattern.test(label) || label === serverLabel) return next(new Error("invalid label"));
    socket.data.label = label;
    next();
  });

  namespace.on("connection", (socket) => {
    const { label } = socket.data;
    void socket.join(label);
    log.info("internal client connected", { label });

    socket.on("api-message", async (raw: unknown) => {
      const parsed = envelopeSchema.safeParse(raw);
      if (!parsed.success) return socket.emit("error", { message: `Invalid envelope: ${describeIssues(parsed.error.issues)}` });
      const envelope = parsed.data;
      // The sender may only speak for itself, so a reply always finds its way back.
      if (envelope.ack !== label) return socket.emit("error", { message: "Invalid envelope: ack must be your own label" });
      if (envelope.target !== serverLabel) return namespace.to(envelope.target).emit(envelope.target, envelope);
      const refused = await bus.receive(envelope);
      if (refused && envelope.type === "message") socket.emit("error", { message: refused });
    });

    socket.on("disconnect", (reason) => {
      log.info("internal client disconnected", { label, reason });
      if (!label.startsWith("worker:")) return;
      const workerId = label.slice("worker:".length);
      deps.registry.workerDisconnected(workerId);
      deps.onWorkerGone?.(workerId);
    });
  });

  bus.handle("heartbeat", (data, envelope) => {
    if (envelope.ack !== `worker:${data.workerId}`) return;
    deps.registry.recordHeartbeat(data);
  });
  bus.handle("status", () => ({ status: "alive" as const }));

  return { namespace, bus };
}
