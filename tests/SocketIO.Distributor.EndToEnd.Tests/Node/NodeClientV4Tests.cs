namespace SocketIO.Distributor.EndToEnd.Tests.Node;

/// <summary>
/// socket.io-client 4.x (Engine.IO 4) under Node against the echo host: both namespaces, auth, events
/// with strings, numbers, objects and binary, acks both ways, the refused namespace, a clean disconnect.
/// </summary>
public sealed class NodeClientV4Tests
{
    [Fact]
    public Task WebSocket_only() => Scenario.RunAndAssertAsync("v4", "websocket");

    [Fact]
    public Task Polling_only() => Scenario.RunAndAssertAsync("v4", "polling");

    [Fact]
    public Task Polling_upgraded_to_WebSocket() => Scenario.RunAndAssertAsync("v4", "upgrade");
}
