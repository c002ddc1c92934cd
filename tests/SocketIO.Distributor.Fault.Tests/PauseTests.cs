using System.Diagnostics;
using SocketIO.Distributor.Fault.Tests.Harness;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>
/// A backend replica or a distributor frozen (SIGSTOP) for 2 × MemberTimeout, so the others declare it
/// dead, then resumed (SIGCONT): the cluster must converge, with no ghost socket at a backend and no
/// zombie socket at a distributor (<c>siod status</c> counts equal on both sides), within 2 heartbeats.
/// </summary>
public sealed class PauseTests(ITestOutputHelper output)
{
    private const int Clients = 400;

    [Fact]
    public Task Backend_paused_for_2_member_timeouts_then_resumed_converges_within_2_heartbeats() =>
        PauseAndResumeAsync(cluster => cluster.Backends[0], "backend");

    [Fact]
    public Task Distributor_paused_for_2_member_timeouts_then_resumed_converges_within_2_heartbeats() =>
        PauseAndResumeAsync(cluster => cluster.Distributors[0], "distributor");

    private async Task PauseAndResumeAsync(Func<FaultCluster, FaultProcess> pick, string kind)
    {
        await using var cluster = await FaultCluster.StartAsync(output);
        await using var load = await FaultLoad.StartAsync(cluster.Urls, Clients, output);
        await cluster.WaitForStatusAsync(s => s.Converged(Clients), $"both sides holding {Clients} sockets");
        await load.FireAsync(true);
        await load.WaitForStatsAsync(s => s.Fires >= 20, "20 broadcasts requested before the fault");

        var victim = pick(cluster);
        victim.Pause();
        await load.MarkAsync($"{kind}-paused");
        await Task.Delay(FaultCluster.MemberTimeout * 2); // the fault itself: frozen for 2 × MemberTimeout
        var during = await cluster.StatusAsync();
        victim.Resume();
        var resumed = Stopwatch.GetTimestamp();
        await load.MarkAsync($"{kind}-resumed");

        long? convergedMs = null;
        ClusterStatus? last = null;
        try
        {
            last = await cluster.WaitForStatusAsync(s => s.Distributors == 2 && s.Backends == 2 && s.Converged(Clients), $"both sides holding {Clients} sockets with every member back", TimeSpan.FromSeconds(10));
            convergedMs = Poll.MillisecondsSince(resumed);
            // Converged means it stays so: no ghost or zombie turns up at the next heartbeats.
            var stable = Stopwatch.GetTimestamp();
            await Poll.UntilAsync(
                async () =>
                {
                    last = await cluster.StatusAsync();
                    if (!last.Converged(Clients) || last.Distributors != 2 || last.Backends != 2)
                    {
                        throw new Xunit.Sdk.XunitException($"The cluster diverged again {Poll.MillisecondsSince(resumed)} ms after the resume: {last}");
                    }

                    return Stopwatch.GetElapsedTime(stable) > FaultCluster.Heartbeat * 3;
                },
                "the cluster stayed converged for 3 heartbeats",
                TimeSpan.FromSeconds(10));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            output.WriteLine($"RESULT {kind}-pause: {e.Message}");
        }

        var working = await load.WaitForStatsAsync(s => s.AllWorkingMs is not null || Poll.MillisecondsSince(resumed) > 10_000, "every client working (or 10 s)", TimeSpan.FromSeconds(15));
        var report = await load.SettleAsync();
        var counted = await cluster.CountedLossesAsync();
        var since = report.SinceMark($"{kind}-resumed");
        output.WriteLine($"RESULT {kind}-pause: during the pause: {during}; converged {convergedMs?.ToString() ?? "never"} ms after SIGCONT (target {2 * FaultCluster.Heartbeat.TotalMilliseconds} ms): {last}; all clients working {since.AllWorkingMs?.ToString() ?? "never"} ms after SIGCONT; {counted}");
        output.WriteLine("RESULT " + report.Describe());

        Assert.Empty(cluster.Crashes());
        Assert.True(convergedMs is not null, $"The cluster must converge after the {kind} resumes (no ghost, no zombie); last status: {last}");
        Assert.True(convergedMs <= 2 * FaultCluster.Heartbeat.TotalMilliseconds, $"The cluster must converge within 2 heartbeats of the resume; it took {convergedMs} ms.");
        Assert.Equal(Clients, report.Connected);
        Assert.True(since.AllWorkingMs is not null, $"Every client must work after the resume; {since.Working}/{Clients} did. {working}");
        // Nothing dropped without being counted: events the frozen process could not serve are answered late,
        // error-acked, or counted as lost by the processes.
        var timeouts = report.Echo.Timeouts + report.Fires.Timeouts;
        Assert.True(timeouts <= counted.Total, $"{timeouts} request(s) timed out at the clients but the processes counted {counted}: silent losses. {report.Describe()}");
        Assert.True(report.BroadcastsMissingDistinct <= counted.DistributorGaps, $"{report.BroadcastsMissingDistinct} acked broadcast(s) missed some client, but the distributors counted only {counted.DistributorGaps} missing message(s) ({counted}). {report.Describe()}");
    }
}
