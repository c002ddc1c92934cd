using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// A backend's namespace broadcast reaches every socket of the namespace on every distributor, exactly
/// once, and only that namespace. "Once" is proven with a marker: the broadcast under test, then a
/// second broadcast on the same namespace channel; when the marker arrives, a duplicate would have too.
/// </summary>
public sealed class BroadcastTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_namespace_broadcast_reaches_a_client_on_each_distributor_exactly_once(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-bcast");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        await clients.ConnectAsync("a", cluster.D1.Url, RoutingCluster.Chat);
        await clients.ConnectAsync("b", cluster.D2.Url, RoutingCluster.Chat);

        cluster.ChatNsp.Emit("news", "hello", 42);
        var a = await clients.WaitForEventAsync("a", "news");
        var b = await clients.WaitForEventAsync("b", "news");
        foreach (var news in new[] { a, b })
        {
            Assert.Equal("hello", news.String(0));
            Assert.Equal(42, news.Args[1].GetInt32());
        }

        cluster.ChatNsp.Emit("marker");
        await clients.WaitForEventAsync("a", "marker");
        await clients.WaitForEventAsync("b", "marker");
        Assert.Equal(1, clients.Count("a", "news"));
        Assert.Equal(1, clients.Count("b", "news"));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Over_one_multiplexed_connection_each_namespace_broadcast_reaches_only_its_namespace(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-bcast-mux");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        foreach (var (client, url) in new[] { ("a", cluster.D1.Url), ("b", cluster.D2.Url) })
        {
            await clients.ConnectAsync($"{client}-chat", url, RoutingCluster.Chat, connection: client);
            await clients.ConnectAsync($"{client}-game", url, RoutingCluster.Game, connection: client);
            var chat = await clients.WaitForEventAsync($"{client}-chat", "$connect");
            var game = await clients.WaitForEventAsync($"{client}-game", "$connect");
            Assert.Equal(chat.EngineId, game.EngineId); // one Engine.IO connection carries both namespaces
        }

        cluster.ChatNsp.Emit("news", "from chat");
        cluster.GameNsp.Emit("news", "from game");
        foreach (var client in new[] { "a", "b" })
        {
            Assert.Equal("from chat", (await clients.WaitForEventAsync($"{client}-chat", "news")).String(0));
            Assert.Equal("from game", (await clients.WaitForEventAsync($"{client}-game", "news")).String(0));
        }

        cluster.ChatNsp.Emit("marker");
        cluster.GameNsp.Emit("marker");
        foreach (var name in new[] { "a-chat", "a-game", "b-chat", "b-game" })
        {
            await clients.WaitForEventAsync(name, "marker");
            Assert.Equal(1, clients.Count(name, "news"));
            Assert.Equal(1, clients.Count(name, "marker"));
        }
    }

    [Fact]
    public async Task SocketIOClient_sockets_on_both_distributors_get_their_namespace_broadcast_exactly_once()
    {
        await using var cluster = await RoutingCluster.StartAsync("route-bcast-net");
        string[] events = ["news", "marker"];
        await using var chat1 = new DotNetSocket(cluster.D1.Url, RoutingCluster.Chat, events);
        await using var chat2 = new DotNetSocket(cluster.D2.Url, RoutingCluster.Chat, events);
        await using var game2 = new DotNetSocket(cluster.D2.Url, RoutingCluster.Game, events);
        await chat1.ConnectAsync();
        await chat2.ConnectAsync();
        await game2.ConnectAsync();

        cluster.ChatNsp.Emit("news", "hello", new byte[] { 1, 2, 3 });
        foreach (var socket in new[] { chat1, chat2 })
        {
            var news = await socket.WaitForEventAsync("news");
            Assert.Equal("hello", news.GetValue<string>(0));
            Assert.Equal(new byte[] { 1, 2, 3 }, news.InComingBytes[0]);
        }

        cluster.ChatNsp.Emit("marker");
        cluster.GameNsp.Emit("marker");
        foreach (var socket in new[] { chat1, chat2, game2 })
        {
            await socket.WaitForEventAsync("marker");
        }

        Assert.Equal(1, chat1.Count("news"));
        Assert.Equal(1, chat2.Count("news"));
        Assert.Equal(0, game2.Count("news"));
    }
}
