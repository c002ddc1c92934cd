namespace SocketIO.Distributor.EndToEnd.Tests.Node;

/// <summary>
/// socket.io-client 2.x (Engine.IO 3, as old apps still ship) under Node against the echo host: the same
/// contract as v4, with the query string standing in for the auth payload (v2 has none).
/// </summary>
public sealed class NodeClientV2Tests
{
    [Fact]
    public Task WebSocket_only() => Scenario.RunAndAssertAsync("v2", "websocket");

    [Fact]
    public Task Polling_only() => Scenario.RunAndAssertAsync("v2", "polling");

    [Fact]
    public Task Polling_upgraded_to_WebSocket() => Scenario.RunAndAssertAsync("v2", "upgrade");
}
