// The Redis connection of a clustered node (REDIS_URL). One client serves the Socket.IO streams
// adapter (which opens its own blocking and subscriber connections from it) and the shared stores.
import crypto from "node:crypto";
import os from "node:os";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import type { Logger } from "../logger";

export type RedisClient = ReturnType<typeof createClient>;

export async function connectRedis(options: { url: string; logger: Logger }): Promise<RedisClient> {
  const client = createClient({ url: options.url });
  // Without a listener an error event would crash the process; the client reconnects by itself.
  client.on("error", (error: unknown) => options.logger.warn("redis error", { error: String(error) }));
  await client.connect();
  return client;
}

/** Socket.IO's Redis streams adapter, with its stream, channels and recovery sessions under `keyPrefix`. */
export function createSocketAdapter(redis: RedisClient, keyPrefix: string) {
  return createAdapter(redis, { streamName: `${keyPrefix}:socket.io`, channelPrefix: `${keyPrefix}:socket.io`, sessionKeyPrefix: `${keyPrefix}:sio:session:` });
}

/** A name for this node that no other node (now or after a restart) has. */
export function newNodeId(configured: string | undefined): string {
  return configured ?? `${os.hostname().replace(/[^a-z0-9_-]/gi, "").slice(0, 20) || "node"}-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
}
