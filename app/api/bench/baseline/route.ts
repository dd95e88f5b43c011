// GET /api/bench/baseline — only under BENCH_BASELINE_ROUTE=true (bench:runtime): the benchmark's
// app endpoint written as a plain Next route handler, to compare the sandbox's cost against.
import { services } from "@/server/services";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  if (!services().env.BENCH_BASELINE_ROUTE) return Response.json({ error: { code: "NOT_FOUND", message: "Not found" } }, { status: 404 });
  return Response.json({ pong: 1, q: new URL(request.url).search.slice(1) });
}
