// The poll's state lives in KV under "poll": the question, the options and who voted for what.
// Results never show who voted: only counts leave the server script.

/** "!poll Best snack? | Apples | Pears" → { question, options } or null. */
export function parsePollCommand(text) {
  const match = /^!poll\s+(.+)$/s.exec(text.trim());
  if (!match) return null;
  const parts = match[1].split("|").map((part) => part.trim()).filter(Boolean);
  if (parts.length < 3 || parts.length > 11) return null;
  return { question: parts[0].slice(0, 200), options: parts.slice(1).map((option) => option.slice(0, 80)) };
}

export function newPoll(command, channel, startedBy) {
  return { id: Date.now(), channel, startedBy, question: command.question, options: command.options, votes: {} };
}

/** What pages see: counts per option, and which option this caller chose. */
export function resultsOf(poll, userId) {
  if (!poll) return null;
  const counts = poll.options.map(() => 0);
  for (const choice of Object.values(poll.votes)) counts[choice] += 1;
  return {
    id: poll.id,
    channel: poll.channel,
    question: poll.question,
    options: poll.options.map((label, index) => ({ label, votes: counts[index] })),
    total: Object.keys(poll.votes).length,
    myVote: userId && userId in poll.votes ? poll.votes[userId] : null,
  };
}
