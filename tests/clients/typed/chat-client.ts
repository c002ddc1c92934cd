// A small TypeScript client of the demo's /chat and /gameA, typed by the generated declarations.
import { io, type Socket } from "socket.io-client";
import type { Chat, TicTacToe, SocketError } from "../../../samples/Demo/wwwroot/contracts";

const chat: Socket<Chat.ServerToClientEvents, Chat.ClientToServerEvents> = io("http://127.0.0.1:8001/chat", { autoConnect: false });
chat.on("chatMessage", (message) => console.log(message.sender.toUpperCase(), message.message, message.channel));
chat.on("history", (messages) => console.log(messages.length));
chat.on("siod:error", (error: SocketError) => console.log(error.code));
chat.emit("postMessage", { message: "hello", channel: "en" }, (error, result) => {
  if (error) console.log(error.message, error.code);
  else console.log(result.toUpperCase());
});

const game: Socket<TicTacToe.ServerToClientEvents, TicTacToe.ClientToServerEvents> = io("http://127.0.0.1:8001/gameA", { autoConnect: false });
game.emit("join", "lobby", (error, board) => { if (!error) console.log(board.cells.join(""), board.moves + 1); });
game.emit("move", 4, () => {});
game.on("board", (board) => console.log(board.table));
