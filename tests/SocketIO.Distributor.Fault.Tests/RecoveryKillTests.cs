using System.Diagnostics;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Fault.Tests.Harness;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>
/// Connection state recovery after a crash: 1,000 real socket.io-client v4 sockets on a
/// <c>siod distributor</c> process that is killed with -9 reconnect to the other one; at least 99.9%
/// are recovered, with no duplicate and no gap, while the backend keeps emitting to everyone and to a room.
/// </summary>
public sealed class RecoveryKillTests(ITestOutputHelper output)
{
    private const int Clients = 1_000;

    [Fact]
    public async Task Of_1000_clients_whose_distributor_is_killed_with_9_at_least_999_recover_on_the_other_without_duplicates_or_gaps()
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await FaultCluster.StartAsync(output, distributors: 2, backends: 0);
        var disconnects = 0;
        var options = new BackendOptions();
        options.Bus.Redis = cluster.Redis.ConnectionString;
        options.Bus.ChannelPrefix = cluster.Prefix;
        options.Bus.HeartbeatInterval = FaultCluster.Heartbeat;
        options.Bus.MemberTimeout = FaultCluster.MemberTimeout;
        using var log = new OutputLog(output, "backend");
        await using var backend = new SocketIOBackend(options, log);
        var nsp = backend.Of(FaultCluster.Namespace).UseConnectionStateRecovery().OnConnection(socket =>
        {
            if (socket.Handshake.Auth.TryGetProperty("index", out var index) && index.GetInt32() % 2 == 0)
            {
                socket.Join("even");
            }

            socket.OnDisconnect(_ => Interlocked.Increment(ref disconnects));
        });
        await backend.StartAsync();
        await cluster.WaitForStatusAsync(s => s.Backends == 1, "the in-process backend registered");

        await using var load = await RecoveryLoad.StartAsync(cluster.Urls[0], FaultCluster.Namespace, Clients, output, TimeSpan.FromSeconds(40));
        output.WriteLine($"{Clients} sockets connected after {clock.ElapsedMilliseconds} ms");
        var scenario = new RecoveryLoadScenario
        {
            Clients = Clients,
            EmitToAll = k => nsp.Emit("n", k),
            EmitToEven = k => nsp.To("even").Emit("e", k),
            WaitingSockets = () => nsp.WaitingSockets,
            Restored = () => nsp.RecoveryStatistics!.Restored,
            Disconnects = () => Volatile.Read(ref disconnects),
            Describe = () =>
                $"held {nsp.RecoveryStatistics!.Held}, open {nsp.Sockets.Count}, distributors found dead by the probe {backend.DistributorsFoundUnsubscribed}",
        };
        await scenario.RunAsync(load, () => cluster.Distributors[0].KillAsync(), cluster.Urls[1], output, "recovery-kill");
        output.WriteLine($"refused {nsp.RecoveryStatistics!.Refused}, wall {clock.ElapsedMilliseconds} ms");
    }
}
