using SocketIO.Distributor.Bus;
using SocketIO.Distributor.EndToEnd.Tests.Cluster;
using StackExchange.Redis;

namespace SocketIO.Distributor.EndToEnd.Tests.RedisCluster;

/// <summary>A bus channel as a test publishes to it directly: sharded or classic, as the deployment's bus chose.</summary>
internal static class TestChannels
{
    /// <summary>The channel <paramref name="name"/> in the pub/sub mode <paramref name="distributor"/> uses.</summary>
    public static RedisChannel Of(DistributorHost distributor, string name) =>
        distributor.Distributor.PubSubMode == PubSubMode.Sharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
}
