using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// A backend's operations on sockets wherever they are connected (socket.io's fetchSockets,
/// socketsJoin, disconnectSockets): every distributor of the namespace answers for its own sockets.
/// </summary>
public sealed class RemoteTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task FetchSockets_returns_the_sockets_of_both_distributors_with_their_rooms(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-remote-fetch");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var socketA = await cluster.ConnectAsync(clients, "a", cluster.D1, RoutingCluster.Chat, new Dictionary<string, object?> { ["user"] = "ann" });
        var socketB = await cluster.ConnectAsync(clients, "b", cluster.D2, RoutingCluster.Chat, new Dictionary<string, object?> { ["user"] = "bob" });
        await clients.ConnectAsync("a-game", cluster.D1.Url, RoutingCluster.Game);
        await socketA.JoinAsync("red");
        await socketB.JoinAsync("blue");
        var (a, b) = (socketA.Id, socketB.Id);

        var all = await FetchAsync(cluster.ChatNsp, 2);
        Assert.Equal(new HashSet<string>([a, b]), all.Select(s => s.Id).ToHashSet());
        Assert.Equal(2, all.Count);
        var remoteA = all.Single(s => s.Id == a);
        var remoteB = all.Single(s => s.Id == b);
        Assert.Equal(cluster.D1.Distributor.Id, remoteA.DistributorId);
        Assert.Equal(cluster.D2.Distributor.Id, remoteB.DistributorId);
        Assert.Contains("red", remoteA.Rooms);
        Assert.DoesNotContain("blue", remoteA.Rooms);
        Assert.Contains("blue", remoteB.Rooms);
        Assert.Equal(RoutingCluster.Chat, remoteA.Namespace);
        Assert.Equal("bob", remoteB.Handshake.Auth.GetProperty("user").GetString());

        var red = await cluster.ChatNsp.To("red").FetchSocketsAsync();
        Assert.Equal(a, Assert.Single(red).Id);
        var notRed = await cluster.ChatNsp.Except("red").FetchSocketsAsync();
        Assert.Equal(b, Assert.Single(notRed).Id);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task SocketsJoin_makes_sockets_on_both_distributors_receive_the_rooms_broadcasts(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-remote-join");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var a = await cluster.ConnectAsync(clients, "a", cluster.D1, RoutingCluster.Chat);
        await clients.ConnectAsync("b", cluster.D2.Url, RoutingCluster.Chat);
        await clients.ConnectAsync("c", cluster.D2.Url, RoutingCluster.Chat);
        await a.JoinAsync("red");
        await FetchAsync(cluster.ChatNsp, 3);

        await cluster.ChatNsp.SocketsJoinAsync("everyone");
        await cluster.ChatNsp.To("red").SocketsJoinAsync("red-too");
        cluster.ChatNsp.To("everyone").Emit("to-everyone");
        cluster.ChatNsp.To("red-too").Emit("to-red-too");
        foreach (var name in new[] { "a", "b", "c" })
        {
            await clients.WaitForEventAsync(name, "to-everyone");
        }

        await clients.WaitForEventAsync("a", "to-red-too");
        cluster.ChatNsp.Emit("marker");
        foreach (var name in new[] { "a", "b", "c" })
        {
            await clients.WaitForEventAsync(name, "marker");
            Assert.Equal(1, clients.Count(name, "to-everyone"));
            Assert.Equal(name == "a" ? 1 : 0, clients.Count(name, "to-red-too"));
        }

        var everyone = await cluster.ChatNsp.To("everyone").FetchSocketsAsync();
        Assert.Equal(3, everyone.Count);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task DisconnectSockets_disconnects_clients_on_both_distributors(string version)
    {
        var reasons = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await using var cluster = await RoutingCluster.StartAsync(
            "route-remote-disconnect",
            chat: nsp => nsp.OnConnection(socket => socket.OnDisconnect(reason => reasons[socket.Id] = reason)));
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var a = (await cluster.ConnectAsync(clients, "a", cluster.D1, RoutingCluster.Chat)).Id;
        var b = (await cluster.ConnectAsync(clients, "b", cluster.D2, RoutingCluster.Chat)).Id;
        await clients.ConnectAsync("a-game", cluster.D1.Url, RoutingCluster.Game);
        await FetchAsync(cluster.ChatNsp, 2);

        await cluster.ChatNsp.DisconnectSocketsAsync();
        Assert.Equal("io server disconnect", (await clients.WaitForDisconnectAsync("a")).Reason);
        Assert.Equal("io server disconnect", (await clients.WaitForDisconnectAsync("b")).Reason);
        await Eventually.TrueAsync(() => reasons.ContainsKey(a) && reasons.ContainsKey(b), "the backend saw both sockets leave");
        Assert.Equal("server namespace disconnect", reasons[a]);
        Assert.Empty(cluster.ChatNsp.Sockets);

        // The multiplexed /game socket on the same connection stays.
        cluster.GameNsp.Emit("still-here");
        await clients.WaitForEventAsync("a-game", "still-here");
        Assert.Equal(0, clients.Count("a-game", "$disconnect"));
    }

    /// <summary>
    /// Fetches until <paramref name="count"/> sockets come back: a backend asks the distributors it knows
    /// of, and it learns of a new one by its heartbeat.
    /// </summary>
    private static async Task<IReadOnlyList<RemoteSocket>> FetchAsync(BackendNamespace nsp, int count)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            var sockets = await nsp.FetchSocketsAsync();
            if (sockets.Count >= count)
            {
                return sockets;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"FetchSocketsAsync returned {sockets.Count} sockets of {nsp.Name}, not {count}.");
            }

            await Task.Delay(50);
        }
    }
}
