// The one place that reads process.env. Server, worker and CLI import it; every setting is
// validated here so a typo fails at start with a clear message instead of deep inside a request.
import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value));

const portNumber = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** HTTP port of the server (0 picks a free one and prints it). */
  PORT: portNumber.default(3000),
  /** Interface the server binds to. */
  HOST: z.string().default("0.0.0.0"),
  /** Where the embedded database, generated secrets and media live. */
  DATA_DIR: z.string().default("./.data"),
  /** PostgreSQL connection string; when unset the embedded PGlite database in DATA_DIR is used. */
  DATABASE_URL: optionalString.pipe(z.string().url().optional()),
  /** Redis (redis://host:port) shared by several server nodes: Socket.IO's streams adapter, presence, rate limits, the worker registry and the internal bus across nodes. Unset: one node, all in memory. */
  REDIS_URL: optionalString.pipe(z.string().url().optional()),
  /** Prefix of every Redis key and stream of this cluster, so several clusters can share one Redis. */
  REDIS_KEY_PREFIX: z.string().regex(/^[a-z0-9_:-]{1,40}$/i).default("canopy"),
  /** Name of this server node in a cluster (letters, digits, - and _); a random one when unset. */
  CANOPY_NODE_ID: optionalString.pipe(z.string().regex(/^[a-z0-9_-]{1,40}$/i).optional()),
  /** `npm run cluster:local` only: port of its sticky load balancer, and how many nodes it starts (on the ports after it). */
  CLUSTER_LOCAL_PORT: portNumber.default(3000),
  CLUSTER_LOCAL_NODES: z.coerce.number().int().min(1).max(8).default(2),
  /** Signs session cookies; generated into DATA_DIR when unset. */
  NEXTAUTH_SECRET: optionalString,
  /** Public origin of the site, used by next-auth for redirects. */
  NEXTAUTH_URL: optionalString.pipe(z.string().url().optional()),
  /** Shared secret of the /internal bus; generated into DATA_DIR when unset. */
  INTERNAL_SECRET: optionalString,
  /** Creates or updates this staff account at start (both must be set). */
  CANOPY_ADMIN_USERNAME: optionalString,
  CANOPY_ADMIN_PASSWORD: optionalString,
  /** The server the worker (and the CLI) talks to. */
  CANOPY_SERVER_URL: optionalString.pipe(z.string().url().optional()),
  /** A worker of a cluster: the server nodes, comma separated; it moves to the next when its node is unreachable (instead of CANOPY_SERVER_URL). */
  CANOPY_SERVER_URLS: optionalString.pipe(
    z
      .string()
      .transform((value) => value.split(",").map((url) => url.trim()).filter(Boolean))
      .pipe(z.array(z.string().url()).min(1))
      .optional(),
  ),
  /** Set to "false" to run the server without its supervised worker (e.g. workers run elsewhere). */
  CANOPY_START_WORKER: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
  /** Largest request body accepted by API routes, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Seconds between worker heartbeats; a worker silent for three of them reads dead. */
  HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().positive().default(2),
  /** Apps (live and preview isolates) one worker runs at most; heartbeats report it with the current load (render: RENDER_MAX_SESSIONS). */
  WORKER_MAX_APPS: z.coerce.number().int().min(1).default(500),
  /** Seconds an app's placement on a worker lasts unless that worker's heartbeats renew it; a worker stops serving an app whose lease ran out. */
  APPS_LEASE_SECONDS: z.coerce.number().positive().default(6),
  /** Chat: messages one user may send per window, across channels. */
  CHAT_RATE_LIMIT_MESSAGES: z.coerce.number().int().positive().default(5),
  CHAT_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().positive().default(5),
  /** Chat: longest message, in characters. */
  CHAT_MAX_MESSAGE_LENGTH: z.coerce.number().int().positive().max(10_000).default(500),
  /** RTMP ingest port (rtmp://host:RTMP_PORT/live/<stream key>). */
  RTMP_PORT: portNumber.default(1935),
  /** Host name shown in the RTMP URL on the dashboard; defaults to the page's host. */
  RTMP_PUBLIC_HOST: optionalString,
  /** Path of the ffmpeg binary used for HLS, thumbnails and recordings. */
  FFMPEG_PATH: z.string().default("ffmpeg"),
  /** HLS segment length in seconds (1–2 keeps latency low). */
  HLS_SEGMENT_SECONDS: z.coerce.number().min(1).max(6).default(1),
  /** Days a recording is kept; 0 keeps none. */
  VOD_RETENTION_DAYS: z.coerce.number().min(0).default(14),
  /** Upper bound on all recordings together, in megabytes; the oldest go first. */
  VOD_MAX_TOTAL_MB: z.coerce.number().int().positive().default(20_480),
  /** Interface the RTMP ingest binds to. */
  RTMP_HOST: z.string().default("0.0.0.0"),
  /** Most RTMP connections at once (publishers plus not-yet-authenticated ones). */
  RTMP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(64),
  /** A publisher silent this long is dropped (its stream goes OFFLINE, the recording is kept). */
  INGEST_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(8),
  /** A worker that lost its bus connection keeps its channels' status this long; reconnecting, it reports its live publishers and the server reconciles. Not back in time: its channels go OFFLINE. */
  INGEST_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(300_000).default(15_000),
  /** Longest wait for the server to accept a stream key before the publisher is refused. */
  INGEST_KEY_CHECK_TIMEOUT_MS: z.coerce.number().int().positive().max(5000).default(800),
  /** Segments listed in a live playlist (a sliding window; older segments are deleted). */
  HLS_LIVE_SEGMENTS: z.coerce.number().int().min(3).max(30).default(6),
  /** Restarts of a crashed HLS job before the stream is ended as failed. */
  HLS_MAX_RESTARTS: z.coerce.number().int().min(0).max(20).default(3),
  /** Seconds between thumbnails of a live stream. */
  THUMBNAIL_INTERVAL_SECONDS: z.coerce.number().positive().default(10),
  /** Public origin of the site (e.g. https://canopy.example); the render farm treats it as Canopy's own. */
  CANOPY_PUBLIC_URL: optionalString.pipe(z.string().url().optional()),
  /** Render farm: path of the Chromium binary (puppeteer-core never downloads one). */
  CHROMIUM_PATH: z.string().default("/usr/bin/chromium"),
  /** Render farm: "false" leaves the render capability out of this worker. */
  RENDER_ENABLED: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
  /** Render farm: most sessions one worker hosts at once; more are refused with a clear error. */
  RENDER_MAX_SESSIONS: z.coerce.number().int().min(1).max(200).default(10),
  /** Render farm: a session with no keepalive, input or subscriber for this long is closed. */
  RENDER_SESSION_TIMEOUT_SECONDS: z.coerce.number().positive().default(300),
  /** Render farm: browser contexts kept ready so a new session starts without waiting (0 = start Chromium on first use). */
  RENDER_WARM_POOL: z.coerce.number().int().min(0).max(20).default(1),
  /** Render farm: sessions one user may hold at once. */
  RENDER_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(100).default(3),
  /** Render farm: extra hosts sessions may load besides Canopy's own pages, comma separated ("example.com,*.example.org"). Staff add more at run time. */
  RENDER_ALLOWED_HOSTS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Apps: approvals from staff other than the author that accept a deployment proposal (as many rejections reject it). */
  REVIEW_APPROVALS: z.coerce.number().int().min(1).max(20).default(1),
  /** Apps: memory limit of each app's isolate, in megabytes. */
  APPS_MEMORY_MB: z.coerce.number().int().min(8).max(1024).default(64),
  /** Apps: CPU time one entry into app code may take (a request, a timer, an event), in milliseconds. */
  APPS_CPU_MS_PER_CALL: z.coerce.number().int().min(5).max(10_000).default(100),
  /** Apps: an endpoint that has not answered after this long gets 504. */
  APPS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Apps: CPU time an app may use per minute across all its entries, in milliseconds. */
  APPS_CPU_BUDGET_MS_PER_MINUTE: z.coerce.number().int().min(100).default(15_000),
  /** Apps: timers (setTimeout/setInterval) pending at once per app. */
  APPS_MAX_TIMERS: z.coerce.number().int().min(1).max(100_000).default(200),
  /** Apps: log lines per second per app (bursts of five seconds' worth pass). */
  APPS_LOG_LINES_PER_SECOND: z.coerce.number().int().min(1).default(50),
  /** Apps: bytes of KV data per app (keys and values). */
  APPS_KV_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  /** Apps: chat messages an app may send per minute. */
  APPS_CHAT_SENDS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** Apps: deletions and system messages one deployed app may make per minute (counted across nodes). */
  APPS_CHAT_MODERATION_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Apps: violations within ten minutes after which an app is suspended. */
  APPS_SUSPEND_AFTER_VIOLATIONS: z.coerce.number().int().min(1).default(8),
  /** Apps: app-host processes the apps of each target (live, preview) are spread over before a host takes a second app. */
  APP_HOSTS: z.coerce.number().int().min(1).max(64).default(2),
  /** Apps: apps one app-host process runs at most; the pool forks another host beyond it. */
  APP_HOST_MAX_APPS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Apps: app-host processes kept booted and empty, so a deploy or a restart never waits for one. */
  APP_HOST_SPARES: z.coerce.number().int().min(0).max(16).default(1),
  /** Apps: an app host that answers no liveness ping for this long is killed and its apps restarted elsewhere (ms). */
  APP_HOST_LIVENESS_MS: z.coerce.number().int().min(200).max(60_000).default(1000),
  /** Apps: log entries kept per app and target. */
  APPS_LOG_RETENTION: z.coerce.number().int().min(100).max(100_000).default(2000),
  /** bench:runtime only: `true` serves GET /api/bench/baseline, the plain Next handler apps are compared with. */
  BENCH_BASELINE_ROUTE: z.enum(["true", "false"]).default("false").transform((value) => value === "true"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated environment of this process. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
