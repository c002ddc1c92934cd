// A Socket.IO server with the socket.io-protocol test-suite configuration.
// Run: dotnet run --project samples/SocketIOEcho -- --urls http://127.0.0.1:3000
SocketIOEcho.SocketIOEchoApp.Create(args).Run();
