// The server process creates its long-lived services once (database, Socket.IO, registry) and
// publishes them here. Next.js compiles route handlers into their own module graph, so a
// module-level singleton would be a second copy; globalThis is shared by both.
import type { Server as SocketServer } from "socket.io";
import type { Database } from "./db/client";
import type { Env } from "./env";
import type { ServiceRegistry } from "./status/registry";
import type { ChatBroadcaster } from "./chat/broadcaster";
import type { PresenceStore } from "./chat/presence";
import type { ChatLookups } from "./chat/chat-lookups";
import type { BusEndpoint } from "./internal/bus-endpoint";
import type { RenderService } from "./render/service";
import type { AppRuntime } from "./apps/runtime-service";

export type CanopyServices = {
  env: Env;
  db: Database;
  io: SocketServer;
  registry: ServiceRegistry;
  secrets: { internalSecret: string; authSecret: string };
  chat: ChatBroadcaster;
  /** Cached channel and restriction reads of the chat; moderation forgets what it changes. */
  chatLookups: ChatLookups;
  /** Who watches which channel (chat connections, guests included). */
  presence: PresenceStore;
  /** The server's end of the internal bus, to ask workers. */
  bus: BusEndpoint;
  /** The render farm's sessions, allow list and pairings (REST, tRPC and the /render namespace). */
  render: RenderService;
  /** The app runtime (AppRuntimeControl plus what the HTTP layer and sockets need). */
  apps: AppRuntime;
};

const key = Symbol.for("canopy.services");
type GlobalWithServices = typeof globalThis & { [key]?: CanopyServices };

export function publishServices(services: CanopyServices): void {
  (globalThis as GlobalWithServices)[key] = services;
}

export function services(): CanopyServices {
  const published = (globalThis as GlobalWithServices)[key];
  if (!published) throw new Error("Canopy services are not started: run the server with `npm start` or `npm run dev`");
  return published;
}
