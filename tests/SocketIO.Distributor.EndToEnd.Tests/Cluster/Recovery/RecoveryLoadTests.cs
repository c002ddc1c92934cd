using System.Diagnostics;
using System.Text.Json;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// The issue's target: of 1,000 real socket.io-client v4 sockets cut at once and reconnecting to the
/// other distributor (the same after a kill -9: SocketIO.Distributor.Fault.Tests.RecoveryKillTests), at least 99.9% are recovered, with no
/// duplicate and no gap in what they receive, while the backend keeps emitting to everyone and to a room.
/// </summary>
[Collection(RecoveryLoadCollection.Name)]
public sealed class RecoveryLoadTests(ITestOutputHelper output)
{
    private const string Custom = "/custom";
    private const int Clients = 1_000;
    private const int MaxLiveEmits = 400;

    /// <summary>Slower heartbeats than the other cluster tests: 1,000 connections at once on two cores must not look like a death.</summary>
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Of_1000_clients_cut_at_once_at_least_999_recover_on_the_other_distributor_without_duplicates_or_gaps()
    {
        await using var cluster = TestCluster.Create("recover-load-cut");
        var backend = await StartBackendAsync(cluster);
        var d1 = await cluster.StartDistributorAsync([Custom], SlowHeartbeats);
        var d2 = await cluster.StartDistributorAsync([Custom], SlowHeartbeats);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await RunAsync(backend, d1.Url, d2, load => load.CutAsync());
    }

    private static async Task<RecoveringBackend> StartBackendAsync(TestCluster cluster)
    {
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b =>
        {
            backend.Serve(b, Custom);
            backend.Nsp.OnConnection(socket =>
            {
                if (socket.Handshake.Auth.TryGetProperty("index", out var index) && index.GetInt32() % 2 == 0)
                {
                    socket.Join("even");
                }
            });
        },
        options =>
        {
            options.Bus.HeartbeatInterval = Heartbeat;
            options.Bus.MemberTimeout = Heartbeat * 3;
        });
        return backend;
    }

    private static void SlowHeartbeats(Distribution.DistributorOptions options)
    {
        options.Bus.HeartbeatInterval = Heartbeat;
        options.Bus.MemberTimeout = Heartbeat * 3;
    }

    private async Task RunAsync(RecoveringBackend backend, string firstUrl, DistributorHost second, Func<RecoveryLoad, Task> fault)
    {
        var clock = Stopwatch.StartNew();
        await using var load = await RecoveryLoad.StartAsync(firstUrl, Custom, Clients, output, TimeSpan.FromSeconds(40));
        output.WriteLine($"{Clients} sockets connected in {clock.ElapsedMilliseconds} ms");
        var n = 0;
        var e = 0;
        void Emit()
        {
            backend.Nsp.Emit("n", ++n);
            if (n % 2 == 0)
            {
                backend.Nsp.To("even").Emit("e", ++e);
            }
        }

        for (var i = 0; i < 20; i++)
        {
            Emit();
        }

        var before = await load.SettleAsync(n, e, TimeSpan.FromSeconds(20));
        Assert.Equal(0, Get(before, "incomplete"));

        await fault(load);
        for (var i = 0; i < 40; i++)
        {
            Emit();
        }

        await Eventually.TrueAsync(() => backend.Nsp.WaitingSockets == Clients, $"the backend holds all {Clients} sockets for recovery (holds {backend.Nsp.WaitingSockets})", TimeSpan.FromSeconds(20));
        for (var i = 0; i < 40; i++)
        {
            Emit();
        }

        // Reconnect everyone to the other distributor while the backend keeps emitting.
        var reconnecting = load.ReconnectAsync(second.Url, TimeSpan.FromSeconds(30));
        using (var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            for (var live = 0; live < MaxLiveEmits && !reconnecting.IsCompleted && await pace.WaitForNextTickAsync(); live++)
            {
                Emit();
            }
        }

        var reconnected = await reconnecting;
        for (var i = 0; i < 10; i++)
        {
            Emit();
        }

        var report = await load.SettleAsync(n, e, TimeSpan.FromSeconds(20));
        var recovered = reconnected.GetProperty("recovered").GetInt32();
        output.WriteLine(
            $"RESULT recovery: {recovered}/{Clients} recovered ({reconnected.GetProperty("ms").GetInt32()} ms to reconnect all), " +
            $"{n} + {e} emits, {report.GetProperty("deliveries").GetInt64()} deliveries, duplicates {report.GetProperty("duplicates").GetInt32()}, gaps {report.GetProperty("gaps").GetInt32()}, " +
            $"replayed {second.Distributor.Statistics.EventsReplayed} events, refused {backend.Nsp.RecoveryStatistics!.Refused}, wall {clock.ElapsedMilliseconds} ms");

        Assert.True(recovered >= Clients * 999 / 1000, $"only {recovered} of {Clients} recovered");
        Assert.Equal(0, Get(report, "duplicates"));
        Assert.Equal(0, Get(report, "gaps"));
        Assert.Equal(0, Get(report, "outOfOrder"));
        Assert.Equal(0, Get(report, "incomplete"));
        Assert.Equal(0, reconnected.GetProperty("sidChanged").GetInt32() - (Clients - recovered));
        Assert.Equal(recovered, backend.Nsp.RecoveryStatistics.Restored);
        Assert.Equal(Clients - recovered, backend.Disconnects.Count);
    }

    private static int Get(JsonElement report, string property) => report.GetProperty(property).GetInt32();
}
