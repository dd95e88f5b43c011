import { topScores } from "./scores.js";

/** GET /apps/leaderboard/api/top?limit=5 */
export async function top(request) {
  const limit = Math.min(50, Math.max(1, Number(new URLSearchParams(request.query).get("limit")) || 10));
  return { body: await topScores(limit) };
}
