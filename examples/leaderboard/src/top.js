import { topScores } from "./scores.js";

/** GET /apps/leaderboard/api/top?limit=5 — `request.query` is the raw query string, as in CCF. */
export async function top(request) {
  const match = /(?:^|&)limit=(\d+)/.exec(request.query);
  const limit = Math.min(50, Math.max(1, match ? Number(match[1]) : 10));
  return { body: await topScores(limit) };
}
