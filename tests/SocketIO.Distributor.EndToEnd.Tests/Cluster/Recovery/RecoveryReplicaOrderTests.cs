using System.Diagnostics;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// Recovery offsets with several backend replicas emitting to one namespace at once: Redis gives them
/// (one script per emit), in the order distributors receive the emits, so a client cut and recovered gets
/// every event exactly once and in the order a client never cut saw them. Without the script (offsets
/// from each replica's clock) the same holds with one replica.
/// </summary>
[Collection(RecoveryLoadCollection.Name)]
public sealed class RecoveryReplicaOrderTests(ITestOutputHelper output)
{
    private const string Chat = "/chat";
    private const int PerPhase = 150;

    /// <summary>
    /// With classic pub/sub, and with the bus's own mode (sharded on a Redis Cluster, where the log is in
    /// the slot of the namespace's shard channel so the script may publish to it).
    /// </summary>
    [OrderedPubSubTheory]
    [InlineData(PubSubMode.Classic)]
    [InlineData(PubSubMode.Auto)]
    public async Task Two_replicas_emitting_interleaved_as_fast_as_they_can_a_recovered_client_gets_every_event_once_in_the_order_a_never_cut_client_saw(PubSubMode mode)
    {
        await using var cluster = TestCluster.Create("recover-replicas");
        var a = new RecoveringBackend();
        var b = new RecoveringBackend();
        var backendA = await cluster.StartBackendAsync(x => a.Serve(x, Chat), o => o.Bus.PubSubMode = mode);
        var backendB = await cluster.StartBackendAsync(x => b.Serve(x, Chat), o => o.Bus.PubSubMode = mode);
        Assert.True(backendA.RecoveryOffsetsFromRedis(Chat), "replica A numbers by its clock: the server ran no offset script (see its log, event 4106)");
        Assert.True(backendB.RecoveryOffsetsFromRedis(Chat), "replica B numbers by its clock");
        var d1 = await cluster.StartDistributorAsync([Chat], o => o.Bus.PubSubMode = mode);
        var d2 = await cluster.StartDistributorAsync([Chat], o => o.Bus.PubSubMode = mode);
        await cluster.WaitForBackendsAsync(d1, 2);
        await cluster.WaitForBackendsAsync(d2, 2);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("watch", d2.Url, Chat);
        var sid = await clients.ConnectAsync("cut", d1.Url, Chat);

        var n = 0;
        var m = 0;
        async Task BothEmitAsync()
        {
            // Each replica on its own thread, as fast as it can: their emits interleave at random.
            var fromA = Task.Run(() =>
            {
                for (var i = 0; i < PerPhase; i++)
                {
                    a.Nsp.Emit("n", ++n);
                }
            });
            var fromB = Task.Run(() =>
            {
                for (var i = 0; i < PerPhase; i++)
                {
                    b.Nsp.Emit("m", ++m);
                }
            });
            await Task.WhenAll(fromA, fromB);
        }

        var clock = Stopwatch.StartNew();
        a.Nsp.Emit("n", ++n);
        await clients.WaitForEventAsync("cut", "n", e => e.Args[0].GetInt32() == n);
        await BothEmitAsync();
        await clients.CutAsync("cut");
        await BothEmitAsync();
        await Eventually.TrueAsync(() => a.Nsp.WaitingSockets + b.Nsp.WaitingSockets == 1, "a replica holds the cut socket for recovery");
        await BothEmitAsync();
        var reconnecting = clients.ReconnectAsync("cut", d2.Url);
        await BothEmitAsync();
        await reconnecting;
        await BothEmitAsync();

        string Diagnosis()
        {
            static string Of(string label, DistributorHost d) =>
                $"{label} {d.Distributor.Id}: recovered {d.Distributor.Statistics.SocketsRecovered}, replayed {d.Distributor.Statistics.EventsReplayed}, refused {d.Distributor.Statistics.RecoveriesRefused}, connect requests {d.Distributor.Statistics.ConnectRequestsSent}";
            return $"{Of("d1", d1)}; {Of("d2", d2)}; replicas waiting {a.Nsp.WaitingSockets} + {b.Nsp.WaitingSockets}, restored {a.Nsp.RecoveryStatistics?.Restored} + {b.Nsp.RecoveryStatistics?.Restored}\nwarnings logged:\n{cluster.Warnings}";
        }

        foreach (var name in new[] { "watch", "cut" })
        {
            try
            {
                await clients.WaitForEventAsync(name, "n", e => e.Args[0].GetInt32() == n, TimeSpan.FromSeconds(20));
                await clients.WaitForEventAsync(name, "m", e => e.Args[0].GetInt32() == m, TimeSpan.FromSeconds(20));
            }
            catch (Xunit.Sdk.XunitException timeout)
            {
                throw new Xunit.Sdk.XunitException($"{timeout.Message}\n{Diagnosis()}");
            }
        }

        // socket.io-client emits the packets written before CONNECT, then "connect": the driver reports
        // the last event before the reconnection's $connect, which may still be on its way.
        await Eventually.TrueAsync(() => clients.Events.Count(e => e.Name == "cut" && e.Event == "$connect") >= 2, "the reconnected client reports its $connect");
        var reconnected = clients.Events.Last(e => e.Name == "cut" && e.Event == "$connect");
        Assert.True(reconnected.Recovered, $"not recovered: {reconnected}");
        Assert.Equal(sid, reconnected.Sid);
        List<string> Seen(string name) => [.. clients.Events.Where(e => e.Name == name && e.Event is "n" or "m").Select(e => e.Event + e.Args[0].GetInt32())];
        var watched = Seen("watch");
        var recovered = Seen("cut");
        output.WriteLine($"RESULT replica order: {n} + {m} emits from two replicas in {clock.ElapsedMilliseconds} ms; the recovered client got {recovered.Count}, the watcher {watched.Count}");
        Assert.Equal((2 * 5 * PerPhase) + 1, watched.Count);
        Assert.Equal(watched, recovered);
        Assert.Empty(a.Disconnects);
        Assert.Empty(b.Disconnects);
    }

    [Fact]
    public async Task With_offsets_from_the_backend_clock_one_replica_still_recovers_every_event_once_in_order()
    {
        await using var cluster = TestCluster.Create("recover-clock");
        var a = new RecoveringBackend();
        // The bus's own pub/sub mode (sharded on a Redis Cluster): forced classic PUBLISH on a cluster goes
        // to any node, and a channel's messages from one publisher then arrive out of order.
        var backend = await cluster.StartBackendAsync(x => a.Serve(x, Chat, new ConnectionStateRecovery { OffsetsFromRedis = false }));
        Assert.False(backend.RecoveryOffsetsFromRedis(Chat));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var sid = await clients.ConnectAsync("cut", d1.Url, Chat);

        var n = 0;
        Task EmitAsync() => Task.Run(() =>
        {
            for (var i = 0; i < PerPhase; i++)
            {
                a.Nsp.Emit("n", ++n);
            }
        });

        // Its client has an offset (a client with none recovers from its connection's offset).
        a.Nsp.Emit("n", ++n);
        await clients.WaitForEventAsync("cut", "n", e => e.Args[0].GetInt32() == n);
        await EmitAsync();
        await clients.CutAsync("cut");
        await EmitAsync();
        await Eventually.TrueAsync(() => a.Nsp.WaitingSockets == 1, "the backend holds the cut socket for recovery");
        await EmitAsync();
        await clients.ReconnectAsync("cut", d2.Url);
        await EmitAsync();
        await clients.WaitForEventAsync("cut", "n", e => e.Args[0].GetInt32() == n, TimeSpan.FromSeconds(20));

        // socket.io-client emits the packets written before CONNECT, then "connect": the driver reports
        // the last event before the reconnection's $connect, which may still be on its way.
        await Eventually.TrueAsync(() => clients.Events.Count(e => e.Name == "cut" && e.Event == "$connect") >= 2, "the reconnected client reports its $connect");
        var reconnected = clients.Events.Last(e => e.Name == "cut" && e.Event == "$connect");
        var stats = a.Nsp.RecoveryStatistics;
        Assert.True(reconnected.Recovered, $"not recovered: {reconnected} (was {sid}; backend: restored {stats?.Restored}, refused {stats?.Refused}, expired {stats?.Expired}; its events: {string.Join(", ", clients.Events.Where(e => e.Name == "cut" && e.Event.StartsWith('$')))})");
        Assert.Equal(sid, reconnected.Sid);
        Assert.Equal(Enumerable.Range(1, n), clients.Events.Where(e => e.Name == "cut" && e.Event == "n").Select(e => e.Args[0].GetInt32()));
    }
}
