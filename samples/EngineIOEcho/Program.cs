// An Engine.IO server that sends every message back: the host of the engine.io-protocol test suite.
// Run: dotnet run --project samples/EngineIOEcho -- --urls http://127.0.0.1:3000
EngineIOEcho.EngineIOEchoApp.Create(args).Run();
