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
import { envelopeSchema, nodeLabel, serverLabel, type Envelope } from "./protocol";
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
  deps: {
    secret: string;
    registry: ServiceRegistry;
    logger: Logger;
    onWorkerGone?: (workerId: string) => void;
    /** Set on a clustered node: envelopes and worker registry changes then travel between nodes. */
    nodeId?: string;
  },
): { namespace: InternalNamespace; bus: BusEndpoint } {
  const namespace: InternalNamespace = io.of("/internal");
  const log = deps.logger;
  const ownLabel = deps.nodeId ? nodeLabel(deps.nodeId) : serverLabel;
  const isNodeLabel = (label: string) => label === serverLabel || label.startsWith(`${serverLabel}:`);

  /**
   * Rooms of bus clients span the cluster through the adapter; another node's own label has no
   * room (no socket joins it), so those envelopes go to every node and only that node keeps them.
   */
  function route(envelope: Envelope): void {
    if (envelope.target === ownLabel) void bus.receive(envelope);
    else if (isNodeLabel(envelope.target)) {
      if (deps.nodeId) namespace.serverSideEmit("envelope", withoutUndefined(envelope));
    } else namespace.to(envelope.target).emit(envelope.target, withoutUndefined(envelope));
  }

  const bus = createBusEndpoint({
    label: ownLabel,
    send: route,
    onInvalid: (reason) => log.debug("internal message refused", { reason }),
  });

  if (deps.nodeId) {
    namespace.on("envelope", (envelope) => {
      if (envelope.target === ownLabel) void bus.receive(envelope);
    });
    namespace.on("registry", (event) => {
      deps.registry.apply(event);
      if (event.kind === "disconnected") bus.failPending("The worker disconnected", `worker:${event.workerId}`);
    });
    deps.registry.onChange((event) => namespace.serverSideEmit("registry", event));
  }

  namespace.use((socket, next) => {
    const auth = socket.handshake.auth as Partial<Record<string, unknown>>;
    const secret = typeof auth.secret === "string" ? auth.secret : "";
    const label = typeof auth.label === "string" ? auth.label : "";
    if (!secret || !secretsEqual(secret, deps.secret)) {
      log.warn("internal connection refused: wrong secret", { address: socket.handshake.address });
      return next(new Error("unauthorized"));
    }
    if (!labelPattern.test(label) || isNodeLabel(label)) return next(new Error("invalid label"));
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
      // Plain "web-api" means whichever node the sender is connected to: this one.
      if (envelope.target !== serverLabel) return route(envelope);
      const refused = await bus.receive(envelope);
      if (refused && envelope.type === "message") socket.emit("error", { message: refused });
    });

    socket.on("disconnect", (reason) => {
      log.info("internal client disconnected", { label, reason });
      if (!label.startsWith("worker:")) return;
      const workerId = label.slice("worker:".length);
      // Questions to it would wait for their timeout (an app request's is seconds): fail them now.
      bus.failPending("The worker disconnected", label);
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

/**
 * Drops undefined fields, deep. Between nodes the adapter encodes an envelope that holds binary
 * data with msgpack, which turns undefined into null, and null fails the optional fields' schemas.
 */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  // Only plain objects are rebuilt: a Date, a Buffer or a typed array goes through as it is.
  if (!value || typeof value !== "object") return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined).map(([key, field]) => [key, withoutUndefined(field)])) as T;
}
