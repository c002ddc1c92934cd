using System.Collections.Concurrent;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Regression: a backend that disconnects a socket from its connection handler sends the command
/// right behind its ConnectResult; the distributor used to act on it before the socket was
/// registered, so the disconnect was lost and the client stayed "connected".
/// </summary>
public sealed class ConnectionHandlerDisconnectTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_socket_disconnected_by_the_connection_handler_is_disconnected_after_its_CONNECT(string version)
    {
        await using var cluster = TestCluster.Create("kick");
        var reasons = new ConcurrentQueue<string>();
        await cluster.StartBackendAsync(b => b.Of("/kick").OnConnection(socket =>
        {
            socket.OnDisconnect(reasons.Enqueue);
            socket.Emit("bye", "you are not welcome");
            socket.Disconnect();
        }));
        var distributor = await cluster.StartDistributorAsync(["/kick"]);
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        for (var i = 0; i < 5; i++)
        {
            var name = $"c{i}";
            Assert.Null(await clients.TryConnectAsync(name, distributor.Url, "/kick"));
            var bye = await clients.WaitForEventAsync(name, "bye");
            Assert.Equal("you are not welcome", bye.String(0));
            var disconnect = await clients.WaitForDisconnectAsync(name);
            Assert.Equal("io server disconnect", disconnect.Reason);
        }

        await Eventually.TrueAsync(() => reasons.Count == 5, "the backend hears of all five disconnects");
        Assert.All(reasons, r => Assert.Equal("server namespace disconnect", r));
    }
}
