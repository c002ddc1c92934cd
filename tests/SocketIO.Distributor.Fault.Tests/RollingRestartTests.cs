using System.Diagnostics;
using SocketIO.Distributor.Fault.Tests.Harness;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>
/// A rolling deploy under load: every process stopped with SIGTERM and started again, one at a time.
/// A distributor drains (503 to new handshakes, its sessions closed with a transport close over
/// <see cref="FaultCluster.DrainWindow"/>) and comes back on the same port, where its clients reconnect by
/// themselves; a backend replica drains by handing its sockets to the other replica, which no client may see.
/// </summary>
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const int Clients = 400;
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Every client of a restarted distributor must work again within this long of its /readyz turning 200.</summary>
    private const int BackWithinMs = 5000;

    [Fact]
    public async Task Rolling_restart_of_2_distributors_and_2_backends_loses_no_event_and_backend_restarts_disconnect_no_client()
    {
        await using var cluster = await FaultCluster.StartAsync(output);
        await using var load = await FaultLoad.StartAsync(cluster.Urls, Clients, output);
        await cluster.WaitForStatusAsync(s => s.Converged(Clients), $"both sides holding {Clients} sockets");
        await load.FireAsync(true);
        await load.WaitForStatsAsync(s => s.Fires >= 20, "20 broadcasts requested before the restarts");
        var started = Stopwatch.GetTimestamp();

        var exitCodes = new List<(string Name, int Code, long Ms)>();
        for (var i = 0; i < cluster.Distributors.Count; i++)
        {
            var name = $"distributor-{i + 1}";
            await load.MarkAsync($"{name}-sigterm");
            var stopping = Stopwatch.GetTimestamp();
            var code = await cluster.Distributors[i].TerminateAsync(ExitTimeout);
            exitCodes.Add((name, code, Poll.MillisecondsSince(stopping)));
            await cluster.RestartDistributorAsync(i);
            await cluster.WaitUntilReadyAsync(i, ReadyTimeout);
            var ready = Stopwatch.GetTimestamp();
            await load.MarkAsync($"{name}-ready");
            output.WriteLine($"RESULT rolling: {name} exited with code {code} {exitCodes[^1].Ms} ms after SIGTERM; ready again {Poll.MillisecondsSince(stopping)} ms after SIGTERM");

            // Measured here, asserted at the end (so every phase's numbers are printed first).
            await load.WaitForStatsAsync(s => s.AllWorkingMs is not null || Poll.MillisecondsSince(ready) > 2 * BackWithinMs, $"every client working after {name}'s restart (or {2 * BackWithinMs} ms)", TimeSpan.FromSeconds(20));
            await cluster.WaitForStatusAsync(s => s.Distributors == 2 && s.Converged(Clients), $"both sides holding {Clients} sockets after {name}'s restart", TimeSpan.FromSeconds(15));
        }

        await load.MarkAsync("backend-restarts");
        for (var i = 0; i < cluster.Backends.Count; i++)
        {
            var name = $"backend-{i + 1}";
            var stopping = Stopwatch.GetTimestamp();
            var code = await cluster.Backends[i].TerminateAsync(ExitTimeout);
            exitCodes.Add((name, code, Poll.MillisecondsSince(stopping)));
            await cluster.RestartBackendAsync(i);
            var status = await cluster.WaitForStatusAsync(s => s.Backends == 2 && s.Distributors == 2 && s.Converged(Clients), $"{name} registered again, both sides holding {Clients} sockets", TimeSpan.FromSeconds(15));
            output.WriteLine($"RESULT rolling: {name} exited with code {code} {exitCodes[^1].Ms} ms after SIGTERM; registered again {Poll.MillisecondsSince(stopping)} ms after SIGTERM: {status}");
        }

        await load.MarkAsync("backends-restarted");
        await load.WaitForStatsAsync(s => s.AllWorkingMs is not null, "every client working after the backend restarts", TimeSpan.FromSeconds(10));
        var restartsMs = Poll.MillisecondsSince(started);
        var final = await cluster.WaitForStatusAsync(s => s.Distributors == 2 && s.Backends == 2 && s.Converged(Clients), $"both sides holding {Clients} sockets at the end", TimeSpan.FromSeconds(10));
        var report = await load.SettleAsync();
        var counted = await cluster.CountedLossesAsync();
        var backends = report.SinceMark("backend-restarts");
        var backs = new[] { report.SinceMark("distributor-1-ready"), report.SinceMark("distributor-2-ready") };
        output.WriteLine($"RESULT rolling: 4 restarts in {restartsMs} ms; every client working again {string.Join(" and ", backs.Select(b => $"{b.AllWorkingMs?.ToString() ?? "never"} ms"))} after distributor 1 and 2 were ready (target {BackWithinMs} ms); " +
            $"during the backend restarts: {backends.Disconnects} disconnect(s), {backends.FailedSent} echo(es) and {backends.FiresFailed} broadcast request(s) failed, {backends.BroadcastsMissing} deliveries missing of {backends.BroadcastsAcked} acked broadcasts, max latency {backends.MaxLatencyMs} ms; " +
            $"failed by a distributor's drain (the client was told): {report.Echo.Disconnected} echo(es), {report.Fires.Disconnected} broadcast request(s); {counted}; status at the end {final}");
        output.WriteLine("RESULT " + report.Describe());

        Assert.Empty(cluster.Crashes());
        Assert.All(exitCodes, e => Assert.True(e.Code == 0, $"{e.Name} exited with code {e.Code} after SIGTERM; a drain must end with 0."));
        Assert.Equal(Clients, report.Connected);
        Assert.True(final.Converged(Clients), $"Both sides must hold {Clients} sockets at the end: {final}");

        // Every client of a restarted distributor back within 5 s of its readiness.
        foreach (var back in backs)
        {
            Assert.True(back.AllWorkingMs is <= BackWithinMs, $"Every client must work again within {BackWithinMs} ms of its distributor being ready ({back.Mark}); {back.Working}/{Clients} did, the last after {back.AllWorkingMs?.ToString() ?? "never"} ms. {report.Describe()}");
        }

        // No event lost silently: no request timed out, none was answered with an error. A request in flight when
        // a draining distributor closed its client's connection fails at once at the client ("socket has been
        // disconnected"): reported above, not silent.
        Assert.True(report.Echo.Timeouts + report.Fires.Timeouts == 0, $"{report.Echo.Timeouts} echo and {report.Fires.Timeouts} broadcast request(s) timed out (silent losses). {report.Describe()}");
        Assert.True(report.Echo.ErrorAcks + report.Fires.ErrorAcks == 0, $"{report.Echo.ErrorAcks} echo and {report.Fires.ErrorAcks} broadcast request(s) were answered with an error. {report.Describe()}");
        Assert.True(counted.Total == 0, $"The processes counted losses: {counted}. {report.Describe()}");

        // The backend restarts are invisible to the clients: no disconnect, no failed request, every acked broadcast delivered.
        Assert.Equal(0, backends.Disconnects);
        Assert.Equal(0, backends.FailedSent);
        Assert.Equal(0, backends.FiresFailed);
        Assert.Equal(0, backends.BroadcastsMissing);
    }
}
