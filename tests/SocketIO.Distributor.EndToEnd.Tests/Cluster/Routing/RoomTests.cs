using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// Room emits reach exactly the room's members, wherever they are connected; a distributor without
/// members in a room does not even receive its broadcasts.
/// </summary>
public sealed class RoomTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Room_emits_reach_exactly_the_members_on_both_distributors(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-rooms");
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        // name → (distributor, rooms)
        var layout = new Dictionary<string, (DistributorHost At, string[] Rooms)>
        {
            ["r1-d1"] = (cluster.D1, ["r1"]),
            ["r1-d2"] = (cluster.D2, ["r1"]),
            ["r2-d2"] = (cluster.D2, ["r2"]),
            ["both-d1"] = (cluster.D1, ["r1", "r2"]),
            ["both-d2"] = (cluster.D2, ["r1", "r2"]),
            ["none-d1"] = (cluster.D1, []),
            ["none-d2"] = (cluster.D2, []),
        };
        foreach (var (name, (at, rooms)) in layout)
        {
            var socket = await cluster.ConnectAsync(clients, name, at, RoutingCluster.Chat);
            await socket.JoinAsync(rooms);
        }

        cluster.ChatNsp.To("r1").Emit("to-r1");
        cluster.ChatNsp.To("r1").To("r2").Emit("to-r1-r2");
        cluster.ChatNsp.Except("r1").Emit("except-r1");
        var expected = new Dictionary<string, string[]>
        {
            ["to-r1"] = ["r1-d1", "r1-d2", "both-d1", "both-d2"],
            ["to-r1-r2"] = ["r1-d1", "r1-d2", "r2-d2", "both-d1", "both-d2"],
            ["except-r1"] = ["r2-d2", "none-d1", "none-d2"],
        };
        foreach (var (ev, receivers) in expected)
        {
            foreach (var name in receivers)
            {
                await clients.WaitForEventAsync(name, ev);
            }
        }

        cluster.ChatNsp.Emit("marker");
        foreach (var name in layout.Keys)
        {
            await clients.WaitForEventAsync(name, "marker");
        }

        foreach (var (ev, receivers) in expected)
        {
            foreach (var name in layout.Keys)
            {
                Assert.True(
                    clients.Count(name, ev) == (receivers.Contains(name) ? 1 : 0),
                    $"{name} received \"{ev}\" {clients.Count(name, ev)} times; expected {(receivers.Contains(name) ? 1 : 0)}");
            }
        }
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_sockets_broadcast_and_room_emit_exclude_the_sender(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-rooms-sender", chat: nsp => nsp.OnConnection(socket =>
        {
            socket.On("shout", e => socket.Broadcast.Emit("shouted", e.Arguments));
            socket.On("shout-room", e => socket.To("r1").Emit("room-shouted", e.Arguments));
        }));
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        foreach (var (name, at, rooms) in new[] { ("sender", cluster.D1, new[] { "r1" }), ("peer-d1", cluster.D1, ["r1"]), ("peer-d2", cluster.D2, ["r1"]), ("other-d2", cluster.D2, []) })
        {
            var socket = await cluster.ConnectAsync(clients, name, at, RoutingCluster.Chat);
            await socket.JoinAsync(rooms);
        }

        await clients.EmitAsync("sender", "shout", "hi all");
        await clients.EmitAsync("sender", "shout-room", "hi r1");
        foreach (var name in new[] { "peer-d1", "peer-d2", "other-d2" })
        {
            Assert.Equal("hi all", (await clients.WaitForEventAsync(name, "shouted")).String(0));
        }

        foreach (var name in new[] { "peer-d1", "peer-d2" })
        {
            Assert.Equal("hi r1", (await clients.WaitForEventAsync(name, "room-shouted")).String(0));
        }

        cluster.ChatNsp.Emit("marker");
        foreach (var name in new[] { "sender", "peer-d1", "peer-d2", "other-d2" })
        {
            await clients.WaitForEventAsync(name, "marker");
        }

        Assert.Equal(0, clients.Count("sender", "shouted"));
        Assert.Equal(0, clients.Count("sender", "room-shouted"));
        Assert.Equal(0, clients.Count("other-d2", "room-shouted"));
        Assert.Equal(1, clients.Count("peer-d2", "shouted"));
        Assert.Equal(1, clients.Count("peer-d2", "room-shouted"));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_distributor_receives_a_rooms_broadcasts_only_while_it_has_members_in_it(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-rooms-subscribe");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var backendSocket = await cluster.ConnectAsync(clients, "member-d1", cluster.D1, RoutingCluster.Chat);
        await clients.ConnectAsync("outsider-d2", cluster.D2.Url, RoutingCluster.Chat);
        await backendSocket.JoinAsync("d1-only");

        var (d1Before, d2Before) = Broadcasts(cluster);
        cluster.ChatNsp.To("d1-only").Emit("room-news");
        await clients.WaitForEventAsync("member-d1", "room-news");
        cluster.ChatNsp.Emit("marker");
        await clients.WaitForEventAsync("outsider-d2", "marker");
        await clients.WaitForEventAsync("member-d1", "marker");
        var (d1After, d2After) = Broadcasts(cluster);
        Assert.Equal(2, d1After - d1Before); // the room broadcast and the marker
        Assert.Equal(1, d2After - d2Before); // the marker only
        Assert.Equal(0, clients.Count("outsider-d2", "room-news"));

        // Once the last member leaves, D1 stops receiving the room too.
        await backendSocket.LeaveAsync("d1-only");
        (d1Before, d2Before) = Broadcasts(cluster);
        cluster.ChatNsp.To("d1-only").Emit("room-news");
        cluster.ChatNsp.Emit("marker");
        await clients.WaitForEventAsync("member-d1", "marker");
        await clients.WaitForEventAsync("outsider-d2", "marker");
        (d1After, d2After) = Broadcasts(cluster);
        Assert.Equal(1, d1After - d1Before);
        Assert.Equal(1, d2After - d2Before);
        Assert.Equal(1, clients.Count("member-d1", "room-news"));
    }

    private static (long D1, long D2) Broadcasts(RoutingCluster cluster) =>
        (cluster.D1.Distributor.Statistics.BroadcastsReceived, cluster.D2.Distributor.Statistics.BroadcastsReceived);
}
