// Socket.IO event types of the /internal namespace (Open360 internal API). Clients emit
// "api-message"; the server relays each envelope to the sockets of its target label, emitted
// under that label as the event name.
import type { RegistryEvent } from "../status/registry";
import type { Envelope } from "./protocol";

export type InternalClientToServerEvents = {
  "api-message": (envelope: Envelope) => void;
};

export type InternalServerToClientEvents = {
  /** Something the client sent was refused. */
  error: (payload: Envelope | { message: string }) => void;
  /** Envelopes addressed to a label arrive as an event of that name. */
  [label: string]: (payload: Envelope | { message: string }) => void;
};

/** Between server nodes of a cluster (through the Socket.IO adapter). */
export type InternalInterServerEvents = {
  /** An envelope for another node's own label (e.g. a worker's reply to that node's question). */
  envelope: (envelope: Envelope) => void;
  /** A worker heartbeat or disconnect seen by one node, so every node's registry knows it. */
  registry: (event: RegistryEvent) => void;
};

/** What a bus client says about itself in the handshake `auth`. */
export type InternalHandshake = { secret: string; label: string };

export type InternalSocketData = { label: string };
