// @ts-check
// The demo page. It is plain JavaScript served as is, and type-checked (tsc --checkJs in the tests)
// against contracts.d.ts, which `dotnet build` generates from the backends' C# contracts.
/** @typedef {import("./contracts").Chat.ServerToClientEvents} ChatIn */
/** @typedef {import("./contracts").Chat.ClientToServerEvents} ChatOut */
/** @typedef {import("./contracts").TicTacToe.ServerToClientEvents} TicTacToeIn */
/** @typedef {import("./contracts").TicTacToe.ClientToServerEvents} TicTacToeOut */
/** @typedef {import("./contracts").Dice.ServerToClientEvents} DiceIn */
/** @typedef {import("./contracts").Dice.ClientToServerEvents} DiceOut */
/** @typedef {import("./contracts").ChatMessage} ChatMessage */
/** @typedef {import("./contracts").BoardState} BoardState */

/** @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);
$("name").value = new URLSearchParams(location.search).get("name") || "";
// One Manager = one connection to the distributor; every namespace is multiplexed over it.
const manager = new io.Manager(location.origin, { transports: ["websocket", "polling"] });
// socket.io-client calls a function-valued auth with a callback (it does not use the return value).
/** @param {(data: object) => void} callback */
const auth = (callback) => callback({ name: $("name").value });
/** @type {import("socket.io-client").Socket<ChatIn, ChatOut>} */
const chat = manager.socket("/chat", { auth });
/** @type {import("socket.io-client").Socket<TicTacToeIn, TicTacToeOut>} */
const gameA = manager.socket("/gameA", { auth });
/** @type {import("socket.io-client").Socket<DiceIn, DiceOut>} */
const gameB = manager.socket("/gameB", { auth });

fetch("/demo/whoami").then((r) => r.json()).then((who) => { $("distributor").textContent = `${who.distributorId} (port ${location.port})`; });
manager.on("open", () => { $("transport").textContent = manager.engine.transport.name; manager.engine.on("upgrade", (t) => { $("transport").textContent = t.name; }); });

// label → how it shows: "/chat (recovered)" after a network blip that connection state recovery covered.
/** @type {Map<string, string>} */
const connected = new Map();
/**
 * @param {string} label
 * @param {import("socket.io-client").Socket<any, any>} socket
 */
function watch(label, socket) {
  socket.on("connect", () => { connected.set(label, socket.recovered ? `${label} (recovered)` : label); $("namespaces").textContent = [...connected.values()].join(", "); });
  socket.on("disconnect", () => { connected.delete(label); $("namespaces").textContent = [...connected.values()].join(", ") || "none"; });
  socket.on("connect_error", (err) => { $("namespaces").textContent = `${label}: ${err.message}`; });
}
watch("/chat", chat);
watch("/gameA", gameA);
watch("/gameB", gameB);

// Chat
/** @param {ChatMessage} message */
function showMessage({ sender, message, channel }) {
  const li = document.createElement("li");
  li.innerHTML = `<span class="channel">[${channel}]</span><b></b>: <span class="text"></span>`;
  /** @type {HTMLElement} */ (li.querySelector("b")).textContent = sender;
  /** @type {HTMLElement} */ (li.querySelector(".text")).textContent = message;
  $("messages").appendChild(li);
  $("messages").scrollTop = $("messages").scrollHeight;
}
chat.on("history", (messages) => { $("messages").innerHTML = ""; messages.forEach(showMessage); });
chat.on("chatMessage", showMessage);
$("chat-form").addEventListener("submit", (/** @type {Event} */ e) => {
  e.preventDefault();
  const message = $("message").value;
  chat.emit("postMessage", { message, channel: $("channel").value === "ru" ? "ru" : "en" }, (error, result) => {
    $("chat-error").textContent = error ? error.message : "";
    if (result === "ok") $("message").value = "";
  });
});

// Tic-tac-toe
/** @type {NodeListOf<HTMLButtonElement>} */
const cells = document.querySelectorAll("#cells button");
/** @param {BoardState} board */
function showBoard(board) {
  cells.forEach((b) => { b.textContent = board.cells[Number(b.dataset.cell)]; });
  $("game-status").textContent = `table ${board.table}, ${board.moves} moves`;
}
gameA.on("board", showBoard);
$("join").addEventListener("click", () => {
  const table = $("table").value;
  gameA.emit("join", table, (error, board) => { if (error) $("game-status").textContent = error.message; else showBoard(board); });
  gameB.emit("join", table, (error, joined) => { $("dice-status").textContent = error ? error.message : `rolling at table ${joined}`; });
});
cells.forEach((button) => button.addEventListener("click", () => {
  gameA.emit("move", Number(button.dataset.cell), (error) => { if (error) $("game-status").textContent = error.message; });
}));

// Dice
gameB.on("rolled", ({ player, value }) => {
  const li = document.createElement("li");
  li.textContent = `${player.slice(-4)} rolled ${value}`;
  $("rolls").prepend(li);
});
$("roll").addEventListener("click", () => gameB.emit("roll", (error) => { if (error) $("dice-status").textContent = error.message; }));
