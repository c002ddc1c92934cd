using System.Diagnostics;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Fault.Tests.Harness;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>One of two distributors killed with -9 under load.</summary>
public sealed partial class DistributorKillTests(ITestOutputHelper output)
{
    private const int Clients = 400;

    [Fact]
    public async Task Distributor_kill_9_is_seen_by_the_backends_within_2_heartbeats_and_the_other_distributors_clients_see_no_gap()
    {
        await using var cluster = await FaultCluster.StartAsync(output);
        await using var load = await FaultLoad.StartAsync(cluster.Urls, Clients, output);
        await cluster.WaitForStatusAsync(s => s.Converged(Clients), $"both sides holding {Clients} sockets");
        await load.FireAsync(true);
        await load.WaitForStatsAsync(s => s.Fires >= 20, "20 broadcasts requested before the fault");

        var victim = cluster.Distributors[0];
        var survivors = Clients - (Clients / 2); // clients are spread round-robin: the even ones on the victim
        await victim.KillAsync();
        var killed = Stopwatch.GetTimestamp();
        await load.MarkAsync("distributor-killed");

        // The backends drop the dead distributor's sockets: seen in their logs (member down) and in siod status.
        long? logged = null;
        long? released = null;
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    logged ??= cluster.Backends.Select(b => b.FindLine(DistributorDown(), killed)).All(l => l is not null)
                        ? cluster.Backends.Max(b => Poll.Milliseconds(killed, b.FindLine(DistributorDown(), killed)!.At))
                        : null;
                    var status = await cluster.StatusAsync();
                    if (status.Distributors == 1 && status.BackendSockets == survivors)
                    {
                        released ??= Poll.MillisecondsSince(killed);
                    }

                    return logged is not null && released is not null;
                },
                "both backends saw the distributor die and released its sockets",
                TimeSpan.FromSeconds(10),
                TimeSpan.FromMilliseconds(10));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            output.WriteLine($"RESULT distributor-kill: {e.Message} {await cluster.StatusAsync()}");
        }

        await load.WaitForStatsAsync(s => Poll.MillisecondsSince(killed) > 2000, "2 s of load after the kill");
        var report = await load.SettleAsync();
        var other = report.Groups[1];
        output.WriteLine($"RESULT distributor-kill: both backends logged the distributor down {logged?.ToString() ?? "never"} ms after the kill; siod status showed its sockets released after {released?.ToString() ?? "never"} ms (heartbeat {FaultCluster.Heartbeat.TotalMilliseconds} ms, target {2 * FaultCluster.Heartbeat.TotalMilliseconds} ms)");
        output.WriteLine("RESULT " + report.Describe());

        Assert.Empty(cluster.Crashes());
        Assert.True(logged is not null && logged <= 2 * FaultCluster.Heartbeat.TotalMilliseconds, $"The backends must see the distributor's death within 2 heartbeats ({2 * FaultCluster.Heartbeat.TotalMilliseconds} ms); they did after {logged?.ToString() ?? "never"} ms.");
        Assert.True(released is not null, "The backends must release the dead distributor's sockets.");
        // The other distributor's clients see nothing: no disconnect, every echo answered, every acked broadcast received.
        Assert.Equal(survivors, other.Clients);
        Assert.Equal(0, other.Disconnects);
        Assert.True(other.Echo.Ok == other.Echo.Sent, $"Clients of the surviving distributor had {other.Echo.Sent - other.Echo.Ok} echo(es) unanswered. {report.Describe()}");
        Assert.True(other.Broadcasts.Missing == 0, $"Clients of the surviving distributor missed {other.Broadcasts.Missing} acked broadcast deliveries. {report.Describe()}");
    }

    [GeneratedRegex(@"\[3102\].*Distributor \S+ is down|Distributor \S+ is down")]
    private static partial Regex DistributorDown();
}
