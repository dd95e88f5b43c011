import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

/** Anyone: Jiomosa's health check; 503 while no worker can render. */
export const GET = jsonRoute(async () => {
  const { workers, activeSessions } = await services().render.health();
  const healthy = workers > 0;
  return Response.json(
    { status: healthy ? "healthy" : "unavailable", service: "canopy-render", active_sessions: activeSessions, render_workers: workers, websocket: "enabled" },
    { status: healthy ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
});
