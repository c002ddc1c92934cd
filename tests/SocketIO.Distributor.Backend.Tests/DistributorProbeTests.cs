using System.Collections.Concurrent;
using System.Diagnostics;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// Issue 9, "backends see a distributor's death within 2 heartbeats": the backend asks Redis every half
/// heartbeat whether each live distributor's inbox still has a subscriber (PUBSUB NUMSUB); a killed
/// process has none at once, where its alive key lives on for a member timeout.
/// </summary>
public sealed class DistributorProbeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_distributor_whose_inbox_lost_its_subscriber_is_declared_dead_at_once_and_its_sockets_come_back_when_it_reconciles()
    {
        var reasons = new ConcurrentDictionary<string, string>();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s =>
            {
                s.OnDisconnect(r => reasons[s.Id] = r);
                s.On("ping", e => e.Ack("pong"));
            }),
            distributors: ["d1", "d2"]);
        await h.ConnectAsync("d1.s1");
        await h.ConnectAsync("d1.s2");
        await h.ConnectAsync("d2.s3", via: h.D2);
        await h.DistributorsSeenAsync("/", 2);

        // d1 goes deaf (its subscription is gone) while its heartbeat keeps its alive key fresh: only the probe can tell.
        var clock = Stopwatch.StartNew();
        await h.D1.StopListeningAsync();
        await Eventually.TrueAsync(() => reasons.ContainsKey("d1.s1") && reasons.ContainsKey("d1.s2"), "the backend disconnected d1's sockets", TimeSpan.FromSeconds(5));
        var seenMs = clock.ElapsedMilliseconds;
        output.WriteLine($"d1's sockets disconnected {seenMs} ms after its inbox lost its subscriber (heartbeat {h.Bus.HeartbeatInterval.TotalMilliseconds} ms, member timeout {h.Bus.MemberTimeout.TotalMilliseconds} ms)");
        Assert.Equal("transport close", reasons["d1.s1"]);
        Assert.Equal("transport close", reasons["d1.s2"]);
        Assert.False(reasons.ContainsKey("d2.s3"));
        Assert.Equal(["d2.s3"], h.Backend.Of("/").Sockets.Keys);
        Assert.True(h.Backend.DistributorsFoundUnsubscribed >= 1, "the probe, not the heartbeat, found d1 dead");
        Assert.True(seenMs < 2_000, $"d1 was found dead after {seenMs} ms");
        Assert.Contains(h.Logs.Entries, e => e.EventId == 4070 && e.Message.Contains("Distributor d1 is down: nobody subscribes to its inbox", StringComparison.Ordinal));

        // It was alive after all: it listens again, re-registers (its key was deleted) and reconciles as a distributor does.
        await h.D1.ListenAgainAsync();
        await Eventually.TrueAsync(() => h.D1.Bus.Database.KeyExists(h.D1.Channels.Alive(MemberKind.Distributor, "d1")), "d1 registered again");
        await h.DistributorsSeenAsync("/", 2);
        h.D1.Publish(h.Backend.Id, new SocketInventory("d1", [new SocketInventoryGroup("/", ["d1.s1", "d1.s2"])]));
        var unknown = await h.D1.NextAsync<SocketsUnknown>(u => u.SocketIds.Count == 2);
        Assert.Equal(["d1.s1", "d1.s2"], unknown.SocketIds.Order());
        foreach (var id in unknown.SocketIds)
        {
            h.D1.Connect(h.Backend.Id, id, recovered: true);
        }

        await Eventually.TrueAsync(() => h.Backend.Of("/").Sockets.Count == 3, "the backend holds d1's sockets again");
        Assert.All(h.Backend.Of("/").Sockets.Values.Where(s => s.DistributorId == "d1"), s => Assert.True(s.Recovered));

        // The re-attached socket works, and stays: the probe finds d1's inbox subscribed again.
        h.D1.SendPacket(h.Backend.Id, "d1.s1", "21[\"ping\"]");
        await h.SentAsync("d1.s1", "431[\"pong\"]");
        Assert.Equal(3, h.Backend.Of("/").Sockets.Count);
    }

    [Fact]
    public async Task Without_trusted_receiver_counts_no_distributor_is_declared_dead_by_its_inbox_only_by_its_heartbeat()
    {
        var reasons = new ConcurrentDictionary<string, string>();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.OnDisconnect(r => reasons[s.Id] = r)),
            configure: o => o.Bus.TrustPublishReceiverCounts = false);
        await h.ConnectAsync("d1.s1");
        await h.DistributorsSeenAsync("/", 1);

        await h.D1.StopListeningAsync();
        var clock = Stopwatch.StartNew();
        await h.D1.CrashAsync();

        // The heartbeat path takes a member timeout: by then the probe would long have acted, had it run.
        await Eventually.TrueAsync(() => reasons.ContainsKey("d1.s1"), "d1's socket is disconnected once its alive key expires", TimeSpan.FromSeconds(5));
        output.WriteLine($"d1's socket disconnected {clock.ElapsedMilliseconds} ms after it went deaf and stopped its heartbeat");
        Assert.Equal(0, h.Backend.DistributorsFoundUnsubscribed);
        Assert.True(clock.Elapsed >= h.Bus.MemberTimeout - h.Bus.HeartbeatInterval, $"found dead after {clock.ElapsedMilliseconds} ms: sooner than its key could expire");
    }
}
