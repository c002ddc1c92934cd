using SocketIO.Distributor.Bus;
using SocketIO.Distributor.EndToEnd.Tests.Cluster;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.RedisCluster;

/// <summary>
/// On a 3-master Redis Cluster the bus uses sharded pub/sub only: every channel lives on the master
/// that owns its slot, the channels spread over the masters, and a room broadcast goes through one
/// master to the distributors with members only.
/// </summary>
public sealed class ShardedPubSubTests(ThreeMasters masters, ITestOutputHelper output) : IClassFixture<ThreeMasters>
{
    private const string Chat = "/chat";

    [Fact]
    public async Task Sharded_pub_sub_is_detected_no_classic_channel_is_in_use_and_the_channels_spread_over_the_masters()
    {
        var redis = masters.Redis;
        await using var cluster = TestCluster.Create("shard-detect", redis.ConnectionString);
        await cluster.StartBackendAsync(b => b.Of(Chat).OnConnection(socket => socket.On("shout", e => socket.Namespace.Emit("news", e.Arguments))));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("a", d1.Url, Chat);
        await clients.ConnectAsync("b", d2.Url, Chat);
        await clients.EmitAsync("a", "shout", "hello");
        Assert.Equal("hello", (await clients.WaitForEventAsync("a", "news")).String(0));
        Assert.Equal("hello", (await clients.WaitForEventAsync("b", "news")).String(0));

        Assert.Equal(PubSubMode.Sharded, d1.Distributor.PubSubMode);
        Assert.Equal(PubSubMode.Sharded, d2.Distributor.PubSubMode);
        var pattern = cluster.Prefix + ":*";
        var placed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var master in await redis.MastersAsync())
        {
            var classic = await redis.ChannelsAsync(master.Port, pattern);
            Assert.True(classic.Count == 0, $"master {master.Port} has classic channels in use: {string.Join(", ", classic)}");
            foreach (var channel in await redis.ShardChannelsAsync(master.Port, pattern))
            {
                placed[channel] = master.Port;
            }
        }

        output.WriteLine(string.Join("\n", placed.Select(p => $"{p.Key} on {p.Value}")));

        // The namespace, the two distributors' and the backend's inboxes, and the all channel.
        Assert.True(placed.Count >= 5, $"{placed.Count} shard channels in use: {string.Join(", ", placed.Keys)}");
        foreach (var (channel, port) in placed)
        {
            Assert.Equal((await redis.OwnerOfAsync(channel)).Port, port);
        }

        Assert.True(placed.Values.Distinct().Count() >= 2, $"every channel is on one master: {string.Join(", ", placed)}");
    }

    [Fact]
    public async Task A_room_broadcast_goes_through_the_master_owning_the_room_to_the_distributor_with_members_only()
    {
        var redis = masters.Redis;
        await using var cluster = TestCluster.Create("shard-room", redis.ConnectionString);
        var backend = await cluster.StartBackendAsync(b => b.Of(Chat).OnConnection(socket => socket.On("join", e => socket.Join("red"))));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("member", d1.Url, Chat);
        await clients.ConnectAsync("outsider", d2.Url, Chat);
        await clients.EmitAsync("member", "join");

        var room = cluster.Prefix + ":r:/chat:red";
        var owner = await redis.OwnerOfAsync(room);
        await RedisClusterWait.UntilAsync(async () => (await redis.ShardChannelsAsync(owner.Port, room)).Count == 1, $"the room's channel is subscribed on its master {owner.Port}");
        foreach (var other in (await redis.MastersAsync()).Where(m => m.Port != owner.Port))
        {
            Assert.Empty(await redis.ShardChannelsAsync(other.Port, room));
        }

        Assert.Equal("1", (await redis.CommandAsync(owner.Port, "PUBSUB", "SHARDNUMSUB", room)).Split('\n')[^1].Trim());
        var d1Before = d1.Distributor.Statistics.BroadcastsReceived;
        var d2Before = d2.Distributor.Statistics.BroadcastsReceived;
        const int Count = 20;
        for (var i = 1; i <= Count; i++)
        {
            backend.Of(Chat).To("red").Emit("red", i);
        }

        for (var i = 1; i <= Count; i++)
        {
            await clients.WaitForEventAsync("member", "red");
        }

        // A namespace-wide marker reaches both: once it is in, the room's messages would have been in too.
        backend.Of(Chat).Emit("marker");
        await clients.WaitForEventAsync("member", "marker");
        await clients.WaitForEventAsync("outsider", "marker");
        Assert.Equal(0, clients.Count("outsider", "red"));
        Assert.Equal(Count, clients.Count("member", "red"));
        Assert.Equal(Count + 1, d1.Distributor.Statistics.BroadcastsReceived - d1Before);
        Assert.Equal(1, d2.Distributor.Statistics.BroadcastsReceived - d2Before);
    }
}
