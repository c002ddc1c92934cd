using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// The backend's inbox is bounded (<see cref="BackendOptions.InboxCapacity"/>): when its pipeline
/// cannot keep up, what does not fit is refused with a <c>BACKEND_OVERLOADED</c> error ack, not queued
/// without bound. Client packets are handled in place on Redis's delivery loop when nothing waits
/// (light load); this pins that a blocked pipeline still fills the bounded inbox.
/// </summary>
public sealed class InboxBoundTests
{
    [Fact]
    public async Task A_blocked_pipeline_fills_the_bounded_inbox_and_the_events_beyond_it_get_BACKEND_OVERLOADED()
    {
        const int capacity = 10;
        const int events = 60;
        using var gate = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        await using var h = await BackendHarness.StartAsync(
            b =>
            {
                b.Of("/").OnConnection(s => s.On("ping", e => e.Ack(e.Arguments.Get<int>(0))));

                // The app's dynamic namespace check runs on the pipeline: a blocking one blocks it (bounded wait).
                b.Of((name, _) =>
                {
                    entered.Set();
                    return gate.Wait(TimeSpan.FromSeconds(30));
                }).OnConnection(_ => { });
            },
            configure: o => o.InboxCapacity = capacity);
        await h.ConnectAsync("s");

        // Light load first: events handled one by one (in place on the delivery loop) are answered.
        for (var i = 0; i < 3; i++)
        {
            h.D1.SendPacket(h.Backend.Id, "s", $"2{i}[\"ping\",{i}]");
            await h.SentAsync("s", $"43{i}[{i}]");
        }

        h.D1.Connect(h.Backend.Id, "dyn", "/dynamic-1");
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)), "the dynamic namespace check started");
        for (var i = 3; i < 3 + events; i++)
        {
            h.D1.SendPacket(h.Backend.Id, "s", $"2{i}[\"ping\",{i}]");
        }

        // While the pipeline is blocked, the inbox holds `capacity` events; the others are refused at once.
        try
        {
            await Eventually.TrueAsync(
                () => h.Backend.Statistics.InboxOverflows == events - capacity,
                $"{events - capacity} events overflow the inbox of {capacity}");
        }
        catch
        {
            gate.Set();
            throw;
        }

        int Refused() => h.D1.ReceivedOf<SendToSocket>().Count(s => s.SocketId == "s" && BackendHarness.Text(s.Frames)[0].Contains("BACKEND_OVERLOADED", StringComparison.Ordinal));
        try
        {
            await Eventually.TrueAsync(() => Refused() == events - capacity, $"the {events - capacity} refused events get their error ack while the pipeline is blocked");

            // None of the events that fit was handled while the pipeline was blocked.
            Assert.Equal(3, h.D1.ReceivedOf<SendToSocket>().Count(s => s.SocketId == "s") - Refused());
        }
        finally
        {
            gate.Set();
        }

        var connected = await h.D1.NextAsync<ConnectResult>(r => r.SocketId == "dyn");
        Assert.True(connected.Accepted);

        // The ones that fit are handled, in order, after the block.
        var last = 3 + capacity - 1;
        await h.SentAsync("s", $"43{last}[{last}]");
        var answered = h.D1.ReceivedOf<SendToSocket>()
            .Where(s => s.SocketId == "s")
            .Select(s => BackendHarness.Text(s.Frames)[0])
            .Where(t => !t.Contains("BACKEND_OVERLOADED", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(Enumerable.Range(0, 3 + capacity).Select(i => $"43{i}[{i}]"), answered);
    }
}
