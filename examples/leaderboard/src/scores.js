// Scores live in KV as "score/<userId>" → { username, displayName, points }, so one user's
// update touches one key and the table is a prefix listing.
export const scoreKey = (userId) => `score/${userId}`;

export async function topScores(limit = 10) {
  const entries = await canopy.kv.list("score/");
  return entries
    .map((entry) => entry.value)
    .sort((a, b) => b.points - a.points || a.username.localeCompare(b.username))
    .slice(0, limit);
}
