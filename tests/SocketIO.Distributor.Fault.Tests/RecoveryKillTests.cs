using System.Diagnostics;
using System.Text.Json;
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
    private const int MaxLiveEmits = 400;

    [ScaleFact]
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
        await using var backend = new SocketIOBackend(options);
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
        var n = 0;
        var e = 0;
        void Emit()
        {
            nsp.Emit("n", ++n);
            if (n % 2 == 0)
            {
                nsp.To("even").Emit("e", ++e);
            }
        }

        for (var i = 0; i < 20; i++)
        {
            Emit();
        }

        Assert.Equal(0, Get(await load.SettleAsync(n, e, TimeSpan.FromSeconds(20)), "incomplete"));

        await cluster.Distributors[0].KillAsync();
        var killed = Stopwatch.GetTimestamp();
        for (var i = 0; i < 40; i++)
        {
            Emit();
        }

        await Eventually.TrueAsync(
            () => nsp.WaitingSockets == Clients,
            $"the backend holds all {Clients} sockets for recovery (holds {nsp.WaitingSockets}, held {nsp.RecoveryStatistics!.Held}; " +
            $"thread pool: {ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} pending, {ThreadPool.CompletedWorkItemCount} done)",
            TimeSpan.FromSeconds(20));
        output.WriteLine($"the backend held every socket {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:0} ms after the kill");
        for (var i = 0; i < 40; i++)
        {
            Emit();
        }

        var reconnecting = load.ReconnectAsync(cluster.Urls[1], TimeSpan.FromSeconds(30));
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
            $"RESULT recovery-kill: {recovered}/{Clients} recovered ({reconnected.GetProperty("ms").GetInt32()} ms to reconnect all), " +
            $"{n} + {e} emits, {report.GetProperty("deliveries").GetInt64()} deliveries, duplicates {Get(report, "duplicates")}, gaps {Get(report, "gaps")}, " +
            $"refused {nsp.RecoveryStatistics!.Refused}, wall {clock.ElapsedMilliseconds} ms");

        Assert.True(recovered >= Clients * 999 / 1000, $"only {recovered} of {Clients} recovered");
        Assert.Equal(0, Get(report, "duplicates"));
        Assert.Equal(0, Get(report, "gaps"));
        Assert.Equal(0, Get(report, "outOfOrder"));
        Assert.Equal(0, Get(report, "incomplete"));
        Assert.Equal(recovered, nsp.RecoveryStatistics.Restored);
        Assert.Equal(Clients - recovered, Volatile.Read(ref disconnects));
    }

    private static int Get(JsonElement report, string property) => report.GetProperty(property).GetInt32();
}
