using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>Issue 9 item 6, backend half: StopAsync drains before it unsubscribes.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task A_stopping_backend_finishes_the_handlers_in_flight_then_tells_the_distributor_it_drained()
    {
        var gate = new TaskCompletionSource();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("slow", async e =>
        {
            await gate.Task;
            e.Ack("done");
        })));
        var socket = await h.ConnectAsync("s1");
        await h.D1.WatchAsync(h.D1.Channels.All);
        h.D1.SendPacket(h.Backend.Id, "s1", "27[\"slow\"]");
        await Eventually.TrueAsync(() => !socket.IsIdle, "the handler runs");

        var stopping = h.Backend.StopAsync();
        await h.D1.NextAsync<MemberLeaving>();
        Assert.False(stopping.IsCompleted, "the stop waits for the handler in flight");
        gate.SetResult();
        await stopping.WithTimeout("the stop");

        // The stop returns once BackendDrained is published; the distributor hears it a moment later.
        await Eventually.TrueAsync(
            () => h.D1.All.Any(r => r.Channel == h.D1.Channels.Distributor(h.D1.Id) && r.Message is BackendDrained { BackendId: "b1" }),
            "the distributor hears BackendDrained");
        var inbox = h.D1.All.Where(r => r.Channel == h.D1.Channels.Distributor(h.D1.Id)).Select(r => r.Message).ToList();
        var answer = inbox.FindIndex(m => m is SendToSocket { AnswersAck: 8 });
        var drained = inbox.FindIndex(m => m is BackendDrained { BackendId: "b1" });
        Assert.True(answer >= 0, "the ack was sent");
        Assert.True(drained > answer, $"BackendDrained ({drained}) comes after the ack ({answer}) on the distributor's inbox");
        Assert.True(h.Logs.Has(4054));
    }

    [Fact]
    public async Task A_handler_that_outlasts_the_drain_timeout_does_not_hold_up_the_stop()
    {
        var gate = new TaskCompletionSource();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("stuck", async _ => await gate.Task)),
            configure: o => o.DrainTimeout = TimeSpan.FromMilliseconds(300));
        var socket = await h.ConnectAsync("s1");
        h.D1.SendPacket(h.Backend.Id, "s1", "2[\"stuck\"]");
        await Eventually.TrueAsync(() => !socket.IsIdle, "the handler runs");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await h.Backend.StopAsync().WithTimeout("the stop", TimeSpan.FromSeconds(5));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"the stop took {clock.Elapsed}");
        await h.D1.NextAsync<BackendDrained>();
        Assert.Contains(h.Logs.Entries, e => e.EventId == 4054 && e.Message.Contains("(1 socket(s) still busy)", StringComparison.Ordinal));
        gate.SetResult();
    }
}
