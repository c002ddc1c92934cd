using System.Diagnostics;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing.Node;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Issue 9: a killed distributor is seen by the backends within 2 heartbeats (its inbox has no
/// subscriber any more: PUBSUB NUMSUB), and a client event that reaches a backend that no longer
/// holds its socket is answered at once with an error ack instead of timing out at the client.
/// </summary>
public sealed class InboxProbeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_distributor_killed_with_9_is_seen_by_the_backend_within_2_heartbeats()
    {
        await using var cluster = TestCluster.Create("probe-kill");
        var recorder = new RecordingBackend("b");
        var backend = await cluster.StartBackendAsync(b => recorder.Serve(b, "/"));
        await using var doomed = await EchoProcess.StartAsync(cluster, "distributor", output);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await clients.ConnectAsync($"c{i}", doomed.Url, "/");
            ids.Add((await clients.EmitWithAckAsync($"c{i}", "whoami", []))[0].GetString()!);
        }

        var clock = Stopwatch.StartNew();
        await doomed.KillAsync();
        await Testing.Eventually.TrueAsync(
            () => ids.All(recorder.Disconnects.ContainsKey),
            "the backend disconnected every socket of the killed distributor",
            TimeSpan.FromSeconds(10));
        var seenMs = clock.ElapsedMilliseconds;
        output.WriteLine($"the backend saw the killed distributor's {ids.Count} sockets go {seenMs} ms after kill -9 (heartbeat {TestCluster.Heartbeat.TotalMilliseconds} ms, member timeout {TestCluster.MemberTimeout.TotalMilliseconds} ms)");
        Assert.All(ids, id => Assert.Equal("transport close", recorder.Disconnects[id]));
        Assert.Equal(1, backend.DistributorsFoundUnsubscribed);

        // Its alive key could keep it alive for up to a member timeout: the probe saw it sooner.
        Assert.True(seenMs <= (2 * TestCluster.Heartbeat.TotalMilliseconds) + 300, $"seen after {seenMs} ms; target 2 heartbeats ({2 * TestCluster.Heartbeat.TotalMilliseconds} ms)");
    }

    [Fact]
    public async Task An_event_for_a_socket_the_backend_no_longer_holds_gets_an_error_ack_at_once_and_the_socket_is_reattached()
    {
        await using var cluster = TestCluster.Create("probe-unknown");
        var recorder = new RecordingBackend("b");
        var backend = await cluster.StartBackendAsync(b => recorder.Serve(b, "/"));
        var distributor = await cluster.StartDistributorAsync(["/"]);
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("c", distributor.Url, "/");
        var id = (await clients.EmitWithAckAsync("c", "whoami", []))[0].GetString()!;

        // The backend loses the socket while the distributor keeps it (as when the backend declared the
        // distributor dead during a pause): an inventory that does not list it makes the backend drop it.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis))
        {
            var channels = new BusChannels(cluster.Prefix);
            await redis.GetSubscriber().PublishAsync(RedisCluster.TestChannels.Of(distributor, channels.Backend(backend.Id)), new SocketInventory(distributor.Distributor.Id, []).Encode());
        }

        await Testing.Eventually.TrueAsync(() => recorder.Disconnects.ContainsKey(id), "the backend dropped the socket");

        // The client's next request reaches a backend that does not know the socket: answered with an error, not a timeout.
        var clock = Stopwatch.StartNew();
        var ack = await clients.EmitWithAckAsync("c", "whoami", [], TimeSpan.FromSeconds(5));
        output.WriteLine($"error ack after {clock.ElapsedMilliseconds} ms: {string.Join(", ", ack.Select(a => a.GetRawText()))}");
        Assert.Equal("BACKEND_LOST", ack[0].GetProperty("code").GetString());
        Assert.Equal(1, distributor.Distributor.Statistics.AcksFailed);
        Assert.Equal(1, backend.PacketsLost);

        // Re-attached meanwhile (recovery CONNECT): the same socket works again and the client saw no disconnect.
        await Testing.Eventually.TrueAsync(() => recorder.Recovered(id), "the backend accepted the socket again as recovered");
        Assert.Equal(id, (await clients.EmitWithAckAsync("c", "whoami", []))[0].GetString());
        Assert.Equal(0, clients.Count("c", "$disconnect"));
        Assert.Equal(1, distributor.Distributor.Statistics.AcksFailed);
    }

    [Fact]
    public async Task A_late_unknown_report_about_packets_sent_before_the_reattach_fails_none_of_the_events_sent_after_it()
    {
        await using var cluster = TestCluster.Create("probe-stale");
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dropped = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var backend = await cluster.StartBackendAsync(b => b.Of("/").OnConnection(s =>
        {
            s.On("whoami", e => e.Ack(s.Id));
            s.On("slow", async e =>
            {
                received.TrySetResult();
                await release.Task;
                e.Ack("done");
            });
            s.OnDisconnect(_ => dropped[s.Id] = true);
        }));
        // A report within a heartbeat of a re-attach counts as late: a long one, so that a slow machine does not matter.
        var distributor = await cluster.StartDistributorAsync(["/"], o =>
        {
            o.Bus.HeartbeatInterval = TimeSpan.FromSeconds(10);
            o.Bus.MemberTimeout = TimeSpan.FromSeconds(30);
        });
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("a", distributor.Url, "/");
        await clients.ConnectAsync("b", distributor.Url, "/");
        var a = (await clients.EmitWithAckAsync("a", "whoami", []))[0].GetString()!;
        var b = (await clients.EmitWithAckAsync("b", "whoami", []))[0].GetString()!;
        var channels = new BusChannels(cluster.Prefix);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis);

        // The backend loses a's socket; a's next request is answered BACKEND_LOST and a is re-attached.
        await redis.GetSubscriber().PublishAsync(RedisCluster.TestChannels.Of(distributor, channels.Backend(backend.Id)), new SocketInventory(distributor.Distributor.Id, [new SocketInventoryGroup("/", [b])]).Encode());
        await Testing.Eventually.TrueAsync(() => dropped.ContainsKey(a), "the backend dropped a's socket");
        Assert.Equal("BACKEND_LOST", (await clients.EmitWithAckAsync("a", "whoami", []))[0].GetProperty("code").GetString());
        await Testing.Eventually.TrueAsync(() => backend.Of("/").Sockets.ContainsKey(a), "a is re-attached");
        var reattached = distributor.Distributor.Statistics.SocketsReattached;

        // An event sent after the re-attach is being handled when a late report about a arrives (as the
        // backend's batched report for packets sent before the CONNECT can). The same report names b,
        // reported for the first time: its re-attach (counted) shows the report was handled.
        var slow = clients.EmitWithAckAsync("a", "slow", [], TimeSpan.FromSeconds(10));
        await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await redis.GetSubscriber().PublishAsync(RedisCluster.TestChannels.Of(distributor, channels.Distributor(distributor.Distributor.Id)), new SocketsUnknown(backend.Id, [a, b]).Encode());
        await Testing.Eventually.TrueAsync(() => distributor.Distributor.Statistics.SocketsReattached == reattached + 1, "the late report was handled (b re-attached)");
        Assert.Equal(1, distributor.Distributor.Statistics.AcksFailed);

        release.SetResult();
        Assert.Equal("done", (await slow)[0].GetString());
        Assert.Equal(1, distributor.Distributor.Statistics.AcksFailed);
        Assert.Equal(0, clients.Count("a", "$disconnect"));
        Assert.Equal(0, clients.Count("b", "$disconnect"));
    }
}
