using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster;

/// <summary>The shortest path through the product: a client, a distributor, Redis, a backend, and back.</summary>
public sealed class SmokeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_client_event_reaches_the_backend_and_its_broadcast_reaches_clients_on_both_distributors(string version)
    {
        await using var cluster = TestCluster.Create("smoke");
        await cluster.StartBackendAsync(backend =>
            backend.Of("/chat").OnConnection(socket =>
                socket.On("shout", e => socket.Namespace.Emit("news", e.Arguments))));
        var d1 = await cluster.StartDistributorAsync(["/chat"]);
        var d2 = await cluster.StartDistributorAsync(["/chat"]);
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        await clients.ConnectAsync("a", d1.Url, "/chat");
        await clients.ConnectAsync("b", d2.Url, "/chat");
        await clients.EmitAsync("a", "shout", "hello", 42);

        var a = await clients.WaitForEventAsync("a", "news");
        var b = await clients.WaitForEventAsync("b", "news");
        Assert.Equal("hello", a.String(0));
        Assert.Equal("hello", b.String(0));
        Assert.Equal(42, b.Args[1].GetInt32());
    }
}
