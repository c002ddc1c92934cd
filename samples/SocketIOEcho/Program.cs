// The socket.io-protocol test-suite host, behind Redis: an embedded RESP server (Garnet), one
// distributor, and the echo backend, which talks to the distributor only through Redis.
// Run: dotnet run --project samples/SocketIOEcho -- --urls http://127.0.0.1:3000
// Options: --redis <connection string> (use that server instead of the embedded one),
//          --prefix <channel prefix>, --role all|distributor|backend, --heartbeat <ms>.
SocketIOEcho.SocketIOEchoApp.Create(args).Run();
