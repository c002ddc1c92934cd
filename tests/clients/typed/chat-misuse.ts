// Misuses of the generated types: each line whose comment says it expects an error must be a type error.
import { io, type Socket } from "socket.io-client";
import type { Chat, TicTacToe } from "../../../samples/Demo/wwwroot/contracts";

const chat: Socket<Chat.ServerToClientEvents, Chat.ClientToServerEvents> = io("http://127.0.0.1:8001/chat", { autoConnect: false });
chat.emit("postMessage", { message: "hello", channel: "de" }, () => {}); // EXPECT-ERROR: channel is "en" | "ru"
chat.emit("postMessage", { channel: "en" }, () => {}); // EXPECT-ERROR: message is required
chat.emit("postMesage", { message: "hello", channel: "en" }, () => {}); // EXPECT-ERROR: no such event
chat.on("chatMessage", (message: number) => console.log(message)); // EXPECT-ERROR: a ChatMessage, not a number
const game: Socket<TicTacToe.ServerToClientEvents, TicTacToe.ClientToServerEvents> = io("http://127.0.0.1:8001/gameA", { autoConnect: false });
game.emit("move", "4", () => {}); // EXPECT-ERROR: a cell is a number
game.emit("join", "lobby", (error, board) => console.log(board.cels)); // EXPECT-ERROR: a BoardState has no 'cels'
