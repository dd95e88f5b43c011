// Leaderboard: staff award points to a user (by username); every open board page gets the new
// top ten, and the user who scored is told on their own pages.
import { scoreKey, topScores } from "./scores.js";

canopy.rpc.register("top", "guest", () => topScores());

canopy.rpc.register("mine", "user", async (context) => (await canopy.kv.get(scoreKey(context.caller.userId))) ?? null);

canopy.rpc.register("award", "staff", async (context, username, points) => {
  if (typeof username !== "string" || !username) throw new Error("Name the user to award");
  if (!Number.isInteger(points) || points < -1000 || points > 1000) throw new Error("Points must be a whole number between -1000 and 1000");
  const user = await canopy.kv.get(`user/${username}`);
  if (!user) throw new Error(`${username} has not opened the leaderboard yet`);
  const current = (await canopy.kv.get(scoreKey(user.id))) ?? { username: user.username, displayName: user.displayName, points: 0 };
  current.points += points;
  await canopy.kv.set(scoreKey(user.id), current);
  canopy.rpc.emit("top", await topScores());
  canopy.rpc.emitToUser(user.id, "scored", { points, total: current.points, by: context.caller.username });
  return current;
});

// The board remembers who opened it so staff can award by username.
canopy.rpc.register("hello", "user", async (context) => {
  const { userId: id, username, displayName } = context.caller;
  await canopy.kv.set(`user/${username}`, { id, username, displayName });
  return (await canopy.kv.get(scoreKey(id))) ?? null;
});

canopy.pages.publish("board").catch((error) => console.error("could not publish the board", error));
