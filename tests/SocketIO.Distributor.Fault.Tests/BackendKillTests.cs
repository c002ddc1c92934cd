using System.Diagnostics;
using SocketIO.Distributor.Fault.Tests.Harness;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>One of two backend replicas killed with -9 under load.</summary>
public sealed class BackendKillTests(ITestOutputHelper output)
{
    private const int Clients = 400;

    [Fact]
    public async Task Backend_replica_kill_9_fails_over_within_1_s_with_no_disconnect_and_no_silent_loss()
    {
        await using var cluster = await FaultCluster.StartAsync(output);
        await using var load = await FaultLoad.StartAsync(cluster.Urls, Clients, output);
        await cluster.WaitForStatusAsync(s => s.Converged(Clients), $"both sides holding {Clients} sockets");
        await load.FireAsync(true);
        await load.WaitForStatsAsync(s => s.Fires >= 20, "20 broadcasts requested before the fault");

        var before = await cluster.StatusAsync();
        await cluster.Backends[0].KillAsync();
        var killed = Stopwatch.GetTimestamp();
        await load.MarkAsync("backend-killed");

        var working = await load.WaitForStatsAsync(s => s.AllWorkingMs is not null || Poll.MillisecondsSince(killed) > 15_000, "every client working again (or 15 s)", TimeSpan.FromSeconds(20));
        ClusterStatus? after = null;
        try
        {
            after = await cluster.WaitForStatusAsync(s => s.Backends == 1 && s.Converged(Clients), $"the surviving replica holding all {Clients} sockets", TimeSpan.FromSeconds(10));
            output.WriteLine($"RESULT backend-kill: sockets moved, registry converged {Poll.MillisecondsSince(killed)} ms after the kill: {after}");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            output.WriteLine($"RESULT backend-kill: registry did not converge: {e.Message}");
        }

        var report = await load.SettleAsync();
        var counted = await cluster.CountedLossesAsync();
        var since = report.SinceMark("backend-killed");
        output.WriteLine($"RESULT backend-kill: before {before}; all {Clients} working {since.AllWorkingMs?.ToString() ?? "never"} ms after the kill; requests failing or slow (> 1 s) until +{since.LastBadMs} ms; {since.FailedSent} sent after the kill failed, {since.InFlightLost} in flight lost; {counted}");
        output.WriteLine("RESULT " + report.Describe());

        Assert.Empty(cluster.Crashes());
        Assert.Equal(0, report.Disconnects);
        Assert.Equal(Clients, report.Connected);
        Assert.True(since.AllWorkingMs is not null, $"Every client must work again after the failover; {since.Working}/{Clients} did. {working}");
        // Failover ≤ 1 s: after +1 s no request fails, and none is answered later than +1 s after waiting more than 1 s.
        Assert.True(since.LastBadMs <= 1000, $"Failover must take at most 1 s; requests still failed or were slow {since.LastBadMs} ms after the kill. {report.Describe()}");
        // No silent loss: an acked event lost with the replica is re-sent or answered with an error ack, never left to time out.
        Assert.True(report.Echo.Timeouts + report.Fires.Timeouts == 0, $"{report.Echo.Timeouts} echo and {report.Fires.Timeouts} broadcast request(s) timed out (silent losses). {report.Describe()}");
        Assert.True(report.BroadcastsMissingDistinct <= counted.DistributorGaps, $"{report.BroadcastsMissingDistinct} acked broadcast(s) missed some client, but the distributors counted only {counted.DistributorGaps} missing message(s) ({counted}). {report.Describe()}");
    }
}
