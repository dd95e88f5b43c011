import { jsonRoute } from "@/server/http/route";
import { adaptiveTier } from "@/server/render/frame-delivery";
import { requestOrigin } from "@/server/render/http";
import { renderDefaults } from "@/server/render/service";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** Anyone: what this render farm is and how to talk to it (Jiomosa's /api/info). */
export const GET = jsonRoute((request) => {
  const { env } = services();
  const origin = requestOrigin(request);
  return Response.json({
    service: "Canopy render farm",
    version: "1.0.0",
    description: "Server-rendered pages for thin devices: Chromium sessions streamed as JPEG frames over Socket.IO (Jiomosa-compatible)",
    streaming: "WebSocket (Socket.IO), namespace /render",
    endpoints: {
      health: "/render/health",
      info: "/render/api/info",
      session_create: "/render/api/session/create",
      session_load: "/render/api/session/<session_id>/load",
      session_info: "/render/api/session/<session_id>/info",
      session_keepalive: "/render/api/session/<session_id>/keepalive",
      session_close: "/render/api/session/<session_id>/close",
      session_input: "/render/api/session/<session_id>/input/<click|scroll|text|key>",
      sessions_list: "/render/api/sessions",
      websocket: `${origin.replace(/^http/, "ws")}/socket.io/ (namespace /render)`,
    },
    authentication: "Session cookie or Authorization: Bearer <API token> (Socket.IO: auth.token); health and info are public",
    session_config: {
      timeout: env.RENDER_SESSION_TIMEOUT_SECONDS,
      max_sessions_per_worker: env.RENDER_MAX_SESSIONS,
      sessions_per_user: env.RENDER_SESSIONS_PER_USER,
      default_viewport: { width: renderDefaults.width, height: renderDefaults.height },
      default_quality: renderDefaults.quality,
      default_fps: renderDefaults.fps,
      adaptive_mode: renderDefaults.adaptive,
    },
    adaptive_tiers: [adaptiveTier(6e6), adaptiveTier(3e6), adaptiveTier(1e6)].map((tier, index) => ({
      when: ["over 5 Mbps", "2-5 Mbps", "under 2 Mbps"][index],
      quality: tier.quality,
      fps: tier.fps,
    })),
  });
});
