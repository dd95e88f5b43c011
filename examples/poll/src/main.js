// Chat poll: "!poll Question | Option A | Option B" in a channel's chat (by its owner or staff)
// starts a poll; the vote page shows it, signed-in viewers vote once (they may change their
// vote), and every open page sees the counts change live.
import { newPoll, parsePollCommand, resultsOf } from "./poll.js";

const loadPoll = () => canopy.kv.get("poll");

async function startPoll(message, command) {
  const author = await canopy.users.get(message.username);
  if (!author || (author.username !== message.channel && author.role !== "STAFF")) {
    await canopy.chat.sendSystem(message.channel, `@${message.username}: only the channel owner or staff can start a poll`);
    return;
  }
  const poll = newPoll(command, message.channel, message.username);
  await canopy.kv.set("poll", poll);
  canopy.rpc.emit("poll", resultsOf(poll, null));
  // A link to the vote page: chat shows it as a card where staff allow it.
  await canopy.chat.send(message.channel, `Poll: ${poll.question} — vote at /a/poll/vote`);
}

canopy.chat.on("message", (message) => {
  if (message.system) return;
  const command = parsePollCommand(message.text);
  if (command) startPoll(message, command).catch((error) => console.error("could not start the poll", error));
});

canopy.rpc.register("current", "guest", async (context) => resultsOf(await loadPoll(), context.caller?.userId ?? null));

canopy.rpc.register("vote", "user", async (context, option) => {
  const poll = await loadPoll();
  if (!poll) throw new Error("There is no poll running");
  if (!Number.isInteger(option) || option < 0 || option >= poll.options.length) throw new Error("Pick one of the poll's options");
  poll.votes[context.caller.userId] = option;
  await canopy.kv.set("poll", poll);
  // Everyone sees the new counts; the voter's own pages also learn their choice.
  canopy.rpc.emit("poll", resultsOf(poll, null));
  canopy.rpc.emitToUser(context.caller.userId, "myVote", { id: poll.id, option });
  return resultsOf(poll, context.caller.userId);
});

canopy.rpc.register("close", "staff", async () => {
  await canopy.kv.delete("poll");
  canopy.rpc.emit("poll", null);
  return null;
});

canopy.pages.publish("vote").catch((error) => console.error("could not publish the vote page", error));
