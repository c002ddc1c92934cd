using System.Net;
using Garnet;
using Garnet.server;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.EndToEnd.Tests.RedisCluster;

/// <summary>
/// <see cref="BusOptions.PubSubMode"/>: Auto picks sharded where a sharded round trip works (a Redis
/// Cluster, a single Redis 7) and classic elsewhere (embedded Garnet), logging the choice once; forcing
/// sharded where it does not work stops the start with a message that says what to fix.
/// </summary>
public sealed class PubSubModeTests(ThreeMasters masters) : IClassFixture<ThreeMasters>
{
    [Fact]
    public async Task Auto_on_embedded_Garnet_is_classic_and_says_why_in_one_line()
    {
        using var garnet = StartGarnet(out var endpoint);
        using var log = new LogCapture();
        await using var bus = await RedisBus.ConnectAsync(Options(endpoint, PubSubMode.Auto), log.CreateLogger("bus"));

        Assert.Equal(PubSubMode.Classic, bus.Mode);
        var chosen = log.Entries.Where(e => e.EventId == 3012).ToList();
        Assert.True(chosen.Count == 1, log.Dump());
        Assert.Contains("Classic", chosen[0].Message, StringComparison.Ordinal);
        Assert.Contains("no sharded pub/sub", chosen[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forcing_sharded_on_embedded_Garnet_fails_at_start_with_what_to_fix()
    {
        using var garnet = StartGarnet(out var endpoint);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => RedisBus.ConnectAsync(Options(endpoint, PubSubMode.Sharded), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

        Assert.Contains("PubSubMode is Sharded", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Redis 7 or later", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Auto or Classic", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_on_a_single_redis_7_is_sharded_and_on_a_cluster_too_unless_classic_is_forced()
    {
        await using var single = await RedisServerProcess.StartAsync();
        await using (var bus = await RedisBus.ConnectAsync(Options(single.ConnectionString, PubSubMode.Auto), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            Assert.Equal(PubSubMode.Sharded, bus.Mode);
            Assert.False(bus.IsCluster);
        }

        await using (var bus = await RedisBus.ConnectAsync(Options(masters.Redis.ConnectionString, PubSubMode.Auto), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            Assert.Equal(PubSubMode.Sharded, bus.Mode);
            Assert.True(bus.IsCluster);
            Assert.True(bus.ReceiverCountsTrusted);
        }

        await using (var bus = await RedisBus.ConnectAsync(Options(masters.Redis.ConnectionString, PubSubMode.Classic), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            Assert.Equal(PubSubMode.Classic, bus.Mode);

            // Classic PUBLISH on a cluster counts one node's subscribers: never taken as "nobody listens".
            Assert.False(bus.ReceiverCountsTrusted);
            Assert.Null(await bus.CountSubscribersAsync(["x"]));
        }
    }

    private static BusOptions Options(string redis, PubSubMode mode) =>
        new() { Redis = redis, ChannelPrefix = TestRedis.NewPrefix("mode"), PubSubMode = mode };

    private static GarnetServer StartGarnet(out string endpoint)
    {
        var port = TestRedis.FreePort();
        var garnet = new GarnetServer(new GarnetServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, port)], QuietMode = true });
        garnet.Start();
        endpoint = $"127.0.0.1:{port}";
        return garnet;
    }
}
