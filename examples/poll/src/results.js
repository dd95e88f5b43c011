import { resultsOf } from "./poll.js";

/** GET /apps/poll/api/results: the running poll's counts, for overlays and bots. */
export async function results() {
  const poll = await canopy.kv.get("poll");
  return poll ? { body: resultsOf(poll, null) } : { statusCode: 404, body: { error: "There is no poll running" } };
}
