// Reference Socket.IO echo server (socket.io@4) for the wire conformance tests.
const { Server } = require("socket.io");
const port = Number(process.env.PORT || 3001);
const io = new Server(port, {
  pingInterval: 300, pingTimeout: 200, maxHttpBufferSize: 1e6, connectTimeout: 1000,
  cors: { origin: "*" }, allowEIO3: true,
});
function wire(socket) {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...args) => socket.emit("message-back", ...args));
  socket.on("message-with-ack", (...args) => { const ack = args.pop(); ack(...args); });
  socket.on("request-server-ack", (...args) => {
    socket.emit("server-ack-me", ...args, (...ackArgs) => socket.emit("server-ack-received", ...ackArgs));
  });
}
io.on("connection", wire);
io.of("/custom").on("connection", wire);
console.log(`socket.io reference listening on ${port}`);
