// The vote page: shows the running poll, votes through the app's "vote" method, and follows the
// "poll" event so every viewer sees the counts change.
const questionEl = document.getElementById("question");
const optionsEl = document.getElementById("options");
const totalEl = document.getElementById("total");
const hintEl = document.getElementById("hint");
const errorEl = document.getElementById("error");
let poll = null;
let myVote = null;
let canVote = false;

function render() {
  optionsEl.replaceChildren();
  if (!poll) {
    questionEl.textContent = "No poll is running";
    hintEl.textContent = "The channel owner starts one in chat: !poll Question | Option A | Option B";
    totalEl.textContent = "";
    return;
  }
  questionEl.textContent = poll.question;
  hintEl.textContent = canVote ? "Pick one; you can change your vote." : "Sign in to vote.";
  poll.options.forEach((option, index) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    const share = poll.total ? Math.round((option.votes / poll.total) * 100) : 0;
    button.style.setProperty("--share", `${share}%`);
    button.setAttribute("aria-pressed", String(myVote === index));
    button.disabled = !canVote;
    const label = document.createElement("span");
    label.textContent = option.label;
    const count = document.createElement("span");
    count.className = "count";
    count.dataset.option = String(index);
    count.textContent = `${option.votes} vote${option.votes === 1 ? "" : "s"}`;
    button.append(label, count);
    button.addEventListener("click", () => vote(index));
    item.append(button);
    optionsEl.append(item);
  });
  totalEl.textContent = `${poll.total} vote${poll.total === 1 ? "" : "s"} in total`;
}

async function vote(index) {
  errorEl.textContent = "";
  try {
    const results = await appbridge.serverMethod("vote", index);
    poll = results;
    myVote = results.myVote;
    render();
  } catch (error) {
    errorEl.textContent = error.message;
  }
}

async function refresh() {
  try {
    const results = await appbridge.call("current");
    poll = results;
    myVote = results ? results.myVote : null;
    render();
  } catch (error) {
    errorEl.textContent = error.message;
  }
}

appbridge.addEventListener("poll", (results) => {
  if (!results || !poll || results.id !== poll.id) myVote = null;
  poll = results;
  render();
});
appbridge.addEventListener("myVote", (choice) => {
  if (poll && choice.id === poll.id) {
    myVote = choice.option;
    render();
  }
});
// After a reconnect the page may have missed events: read the poll again.
appbridge.addEventListener("connected", refresh);

appbridge.ready.then((context) => {
  canVote = context.permissionLevel !== "guest";
  appbridge.setTitle("Poll");
  refresh();
});
