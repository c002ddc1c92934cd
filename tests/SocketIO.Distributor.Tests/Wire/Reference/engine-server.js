// Reference Engine.IO echo server (engine.io@6) for the wire conformance tests.
const engine = require("engine.io");
const port = Number(process.env.PORT || 3000);
const server = engine.listen(port, { pingInterval: 300, pingTimeout: 200, maxPayload: 1e6, cors: { origin: "*" } }, () => {
  console.log(`engine.io reference listening on ${port}`);
});
server.on("connection", (socket) => {
  socket.on("data", (data) => socket.send(data));
});
