// One Manager = one connection to the distributor; every namespace is multiplexed over it.
const name = new URLSearchParams(location.search).get("name") || "";
document.getElementById("name").value = name;
const manager = new io.Manager(location.origin, { transports: ["websocket", "polling"] });
// socket.io-client calls a function-valued auth with a callback (it does not use the return value).
const auth = (callback) => callback({ name: document.getElementById("name").value });
const chat = manager.socket("/chat", { auth });
const gameA = manager.socket("/gameA", { auth });
const gameB = manager.socket("/gameB", { auth });
const $ = (id) => document.getElementById(id);

fetch("/demo/whoami").then((r) => r.json()).then((who) => { $("distributor").textContent = `${who.distributorId} (port ${location.port})`; });
manager.on("open", () => { $("transport").textContent = manager.engine.transport.name; manager.engine.on("upgrade", (t) => { $("transport").textContent = t.name; }); });

// label → how it shows: "/chat (recovered)" after a network blip that connection state recovery covered.
const connected = new Map();
for (const [label, socket] of [["/chat", chat], ["/gameA", gameA], ["/gameB", gameB]]) {
  socket.on("connect", () => { connected.set(label, socket.recovered ? `${label} (recovered)` : label); $("namespaces").textContent = [...connected.values()].join(", "); });
  socket.on("disconnect", () => { connected.delete(label); $("namespaces").textContent = [...connected.values()].join(", ") || "none"; });
  socket.on("connect_error", (err) => { $("namespaces").textContent = `${label}: ${err.message}`; });
}

// Chat
function showMessage({ sender, message, channel }) {
  const li = document.createElement("li");
  li.innerHTML = `<span class="channel">[${channel}]</span><b></b>: <span class="text"></span>`;
  li.querySelector("b").textContent = sender;
  li.querySelector(".text").textContent = message;
  $("messages").appendChild(li);
  $("messages").scrollTop = $("messages").scrollHeight;
}
chat.on("history", (messages) => { $("messages").innerHTML = ""; messages.forEach(showMessage); });
chat.on("chatMessage", showMessage);
$("chat-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const message = $("message").value;
  chat.emit("postMessage", { message, channel: $("channel").value }, (error, result) => {
    $("chat-error").textContent = error ? error : "";
    if (result === "ok") $("message").value = "";
  });
});

// Tic-tac-toe
function showBoard(board) {
  document.querySelectorAll("#cells button").forEach((b) => { b.textContent = board.cells[Number(b.dataset.cell)]; });
  $("game-status").textContent = `table ${board.table}, ${board.moves} moves`;
}
gameA.on("board", showBoard);
$("join").addEventListener("click", () => {
  const table = $("table").value;
  gameA.emit("join", table, (error, board) => { if (error) $("game-status").textContent = error; else showBoard(board); });
  gameB.emit("join", table, (error, joined) => { $("dice-status").textContent = error ? error : `rolling at table ${joined}`; });
});
document.querySelectorAll("#cells button").forEach((button) => button.addEventListener("click", () => {
  gameA.emit("move", Number(button.dataset.cell), (error) => { if (error) $("game-status").textContent = error; });
}));

// Dice
gameB.on("rolled", ({ player, value }) => {
  const li = document.createElement("li");
  li.textContent = `${player.slice(-4)} rolled ${value}`;
  $("rolls").prepend(li);
});
$("roll").addEventListener("click", () => gameB.emit("roll", null, (error) => { if (error) $("dice-status").textContent = error; }));
