using System.Diagnostics;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Issue 9, item 2: past <see cref="Bus.BusOptions.OutageTolerance"/> a distributor closes its client
/// connections with a reason clients reconnect from (<c>transport close</c>), never with a Socket.IO
/// disconnect (<c>io server disconnect</c>, which they do not reconnect from); once Redis is back a
/// client that reconnects works again.
/// </summary>
public sealed class RedisOutageToleranceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    /// <summary>Well under StackExchange.Redis's command timeout (5 s): a stop does not wait for an unreachable Redis.</summary>
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Past_the_outage_tolerance_clients_are_closed_with_transport_close_and_can_reconnect_once_Redis_is_back(string version)
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var cluster = TestCluster.Create("outage-tolerance", redis.ConnectionString);
        var distributor = await cluster.StartDistributorAsync(["/"], o => o.Bus.OutageTolerance = Tolerance);
        var recorder = new RecordingBackend("b");
        var backend = await cluster.StartBackendAsync(b => recorder.Serve(b, "/"));
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        await clients.ConnectAsync("a", distributor.Url, "/");
        await clients.EmitWithAckAsync("a", "whoami", []);

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !distributor.Distributor.IsRedisConnected, "the distributor noticed the outage");
        var outage = Stopwatch.StartNew();
        var disconnect = await clients.WaitForDisconnectAsync("a", Tolerance + TimeSpan.FromSeconds(5));
        output.WriteLine($"closed {outage.ElapsedMilliseconds} ms into the outage: {disconnect.Reason}");
        Assert.Equal("transport close", disconnect.Reason);
        Assert.True(outage.Elapsed >= Tolerance - TimeSpan.FromMilliseconds(100), $"closed after only {outage.Elapsed}");
        Assert.Equal(0, distributor.Distributor.Server.Engine.SessionCount);

        // Still down: a new client is not left waiting on a CONNECT that cannot be answered.
        var refused = await clients.TryConnectAsync("during", distributor.Url, "/", timeout: TimeSpan.FromSeconds(3));
        output.WriteLine($"a connect during the outage: {refused ?? "connected"}");
        Assert.NotNull(refused);

        await redis.RestartAsync();
        await Eventually.TrueAsync(() => distributor.Distributor.IsRedisConnected && backend.IsRedisConnected, "both reconnected");
        await clients.ConnectAsync("again", distributor.Url, "/");
        var ack = await clients.EmitWithAckAsync("again", "whoami", []);
        output.WriteLine($"whoami after the restart: [{string.Join(", ", ack.Select(a => a.GetRawText()))}]");
        Assert.Equal(2, ack.Length);
        Assert.Equal("b", ack[1].GetString());
    }

    [Fact]
    public async Task A_distributor_with_connected_clients_stops_cleanly_while_Redis_is_down()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var cluster = TestCluster.Create("stop-redis-down", redis.ConnectionString);
        var distributor = await cluster.StartDistributorAsync(["/"]);
        await cluster.StartBackendAsync(b => new RecordingBackend("b").Serve(b, "/"));
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("a", distributor.Url, "/");

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !distributor.Distributor.IsRedisConnected, "the distributor noticed the outage");
        var clock = Stopwatch.StartNew();
        await distributor.Distributor.StopAsync().WithTimeout("the distributor's stop", TimeSpan.FromSeconds(10));
        output.WriteLine($"stopped in {clock.ElapsedMilliseconds} ms with Redis down");
        Assert.True(clock.Elapsed < StopLimit, $"the stop took {clock.Elapsed}: it waited for Redis");

        var disconnect = await clients.WaitForDisconnectAsync("a");
        Assert.Equal("transport close", disconnect.Reason);
        Assert.Equal(0, distributor.Distributor.Server.Engine.SessionCount);
    }
}
