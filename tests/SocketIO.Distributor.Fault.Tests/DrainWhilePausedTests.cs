using System.Diagnostics;
using SocketIO.Distributor.Fault.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>
/// A backend replica stopped gracefully (SIGTERM) while one distributor is frozen (SIGSTOP) for 600 ms:
/// more than twice the silence a drain used to take as "every distributor moved its sockets" (250 ms),
/// well within the member timeout (1.5 s, so the frozen distributor's alive key does not expire
/// meanwhile, even if its last heartbeat was almost one interval before the freeze). The draining replica waits for the frozen distributor's word that it sends
/// nothing more (DepartureSeen), and its entry says it drains, so the distributor, once it runs again,
/// reads a departure and not a death: no client sees anything, nothing is error-acked or lost.
/// </summary>
public sealed class DrainWhilePausedTests(ITestOutputHelper output)
{
    private const int Clients = 400;
    private static readonly TimeSpan Freeze = TimeSpan.FromMilliseconds(600);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_replica_that_drains_while_a_distributor_is_frozen_waits_for_it_and_no_client_sees_anything()
    {
        Assert.True(Freeze + FaultCluster.Heartbeat < FaultCluster.MemberTimeout, "the freeze must stay well within the member timeout (else the distributor is dead, not slow)");
        await using var cluster = await FaultCluster.StartAsync(output);
        await using var load = await FaultLoad.StartAsync(cluster.Urls, Clients, output);
        var before = await cluster.WaitForStatusAsync(s => s.Converged(Clients), $"both sides holding {Clients} sockets");
        await load.FireAsync(true);
        await load.WaitForStatsAsync(s => s.Fires >= 20, "20 broadcasts requested before the fault");

        // The replica that holds the most sockets (its entry's host names its process) drains.
        var busiest = before.Members.Where(m => m.Kind == MemberKind.Backend).MaxBy(m => m.Sockets.GetValueOrDefault(FaultCluster.Namespace))!;
        var victimIndex = cluster.Backends.FindIndex(p => busiest.Host.EndsWith($"/{p.Pid}", StringComparison.Ordinal));
        Assert.True(victimIndex >= 0 && busiest.Sockets.GetValueOrDefault(FaultCluster.Namespace) > 0, $"a replica with sockets to drain: {before}");
        var frozen = cluster.Distributors[0];
        var victim = cluster.Backends[victimIndex];
        await load.MarkAsync("drain-while-frozen");
        frozen.Pause();
        var stopping = Stopwatch.GetTimestamp();
        var exited = victim.TerminateAsync(ExitTimeout);
        await Task.Delay(Freeze); // the fault itself: the distributor stays frozen this long
        var stillRunning = !exited.IsCompleted;
        frozen.Resume();
        var code = await exited;
        var stopMs = Poll.MillisecondsSince(stopping);

        await cluster.RestartBackendAsync(victimIndex);
        var final = await cluster.WaitForStatusAsync(s => s.Backends == 2 && s.Distributors == 2 && s.Converged(Clients), $"both sides holding {Clients} sockets with the replica back", TimeSpan.FromSeconds(15));
        var report = await load.SettleAsync();
        var counted = await cluster.CountedLossesAsync();
        var since = report.SinceMark("drain-while-frozen");
        var drained = victim.Lines.FirstOrDefault(l => l.Text.Contains("distributor(s) acknowledged the departure", StringComparison.Ordinal))?.Text;
        output.WriteLine($"RESULT drain-while-frozen: the replica exited with code {code} {stopMs} ms after SIGTERM (the distributor was frozen for {Freeze.TotalMilliseconds} ms; still draining when it resumed: {stillRunning}); " +
            $"before: {before}; {since.Disconnects} disconnect(s), {since.FailedSent} echo(es) and {since.FiresFailed} broadcast request(s) failed, {since.BroadcastsMissing} deliveries missing of {since.BroadcastsAcked} acked broadcasts, max latency {since.MaxLatencyMs} ms; {counted}; drain: {drained ?? "no drain line"}; status {final}");
        output.WriteLine("RESULT " + report.Describe());

        Assert.Empty(cluster.Crashes());
        Assert.Equal(0, code);
        Assert.True(stillRunning, $"The draining replica must wait for the frozen distributor; it exited {stopMs} ms after SIGTERM, while the distributor was frozen.");
        Assert.NotNull(drained);
        Assert.Contains("2 of 2 distributor(s) acknowledged the departure", drained, StringComparison.Ordinal);
        Assert.Equal(Clients, report.Connected);
        Assert.True(report.Echo.Timeouts + report.Fires.Timeouts == 0, $"{report.Echo.Timeouts} echo and {report.Fires.Timeouts} broadcast request(s) timed out (silent losses). {report.Describe()}");
        Assert.True(report.Echo.ErrorAcks + report.Fires.ErrorAcks == 0, $"{report.Echo.ErrorAcks} echo and {report.Fires.ErrorAcks} broadcast request(s) were answered with an error. {report.Describe()}");
        Assert.True(counted.Total == 0, $"The processes counted losses: {counted}. {report.Describe()}");
        Assert.Equal(0, since.Disconnects);
        Assert.Equal(0, since.FailedSent);
        Assert.Equal(0, since.FiresFailed);
        Assert.Equal(0, since.BroadcastsMissing);
    }
}
