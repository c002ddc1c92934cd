using System.Diagnostics;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// The target: of 1,000 real socket.io-client v4 sockets cut at once and reconnecting to the
/// other distributor (the same after a kill -9: SocketIO.Distributor.Fault.Tests.RecoveryKillTests), at least 99.9% are recovered, with no
/// duplicate and no gap in what they receive, while the backend keeps emitting to everyone and to a room.
/// </summary>
[Collection(RecoveryLoadCollection.Name)]
public sealed class RecoveryLoadTests(ITestOutputHelper output)
{
    private const string Custom = "/custom";
    private const int Clients = 1_000;

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
        var scenario = new RecoveryLoadScenario
        {
            Clients = Clients,
            EmitToAll = k => backend.Nsp.Emit("n", k),
            EmitToEven = k => backend.Nsp.To("even").Emit("e", k),
            WaitingSockets = () => backend.Nsp.WaitingSockets,
            Restored = () => backend.Nsp.RecoveryStatistics!.Restored,
            Disconnects = () => backend.Disconnects.Count,
        };
        await scenario.RunAsync(load, () => fault(load), second.Url, output, "recovery");
        output.WriteLine($"replayed {second.Distributor.Statistics.EventsReplayed} events, refused {backend.Nsp.RecoveryStatistics!.Refused}");
    }
}
