using System.Diagnostics;
using System.Text;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>Issue 9 item 4: handlers run off Redis's delivery thread; item 3: distributor-to-backend numbering.</summary>
public sealed class PipelineTests
{
    [Fact]
    public async Task A_handler_that_blocks_its_thread_delays_only_its_own_socket()
    {
        using var gate = new ManualResetEventSlim();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s =>
        {
            // Blocks a thread (not an await): bounded, so a broken test cannot hang forever.
            s.On("block", e => e.Ack(gate.Wait(TimeSpan.FromSeconds(30)) ? "released" : "timed out"));
            s.On("ping", e => e.Ack(e.Arguments.Get<int>(0)));
        }));
        await h.ConnectAsync("blocked");
        await h.ConnectAsync("free");

        h.D1.SendPacket(h.Backend.Id, "blocked", "20[\"block\"]");
        const int pings = 50;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < pings; i++)
        {
            h.D1.SendPacket(h.Backend.Id, "free", $"2{i}[\"ping\",{i}]");
        }

        await Eventually.TrueAsync(
            () => h.D1.ReceivedOf<SendToSocket>().Count(s => s.SocketId == "free") == pings,
            "the other socket gets every answer while the first one's handler blocks");
        var answered = h.D1.ReceivedOf<SendToSocket>().Where(s => s.SocketId == "free").ToList();
        Assert.Equal(Enumerable.Range(0, pings).Select(i => $"43{i}[{i}]"), answered.Select(s => BackendHarness.Text(s.Frames)[0]));
        Assert.Equal(Enumerable.Range(1, pings).Select(i => (ulong)i), answered.Select(s => s.AnswersAck));
        Assert.DoesNotContain(h.D1.ReceivedOf<SendToSocket>(), s => s.SocketId == "blocked");
        Assert.False(gate.IsSet);
        var elapsed = clock.Elapsed;

        gate.Set();
        var released = await h.SentAsync("blocked", "430[");
        Assert.Equal(["430[\"released\"]"], BackendHarness.Text(released.Frames));
        Assert.Equal(1UL, released.AnswersAck);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"the free socket's {pings} answers took {elapsed}");
    }

    [Fact]
    public async Task Messages_a_distributor_numbered_and_Redis_dropped_are_counted()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("ping", e => e.Ack(1))));
        await h.ConnectAsync("s1");

        Send(h, 1, 0);
        Send(h, 4, 1);
        await h.SentAsync("s1", "431[");

        Assert.Equal(2, h.Backend.Statistics.MessagesLost);
        Assert.True(h.Logs.Has(4050));
    }

    [Fact]
    public async Task The_backend_reports_how_far_it_handled_what_a_distributor_sent()
    {
        using var gate = new ManualResetEventSlim();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("hold", e => gate.Wait(TimeSpan.FromSeconds(30)))),
            configure: o => o.ProgressInterval = TimeSpan.FromMilliseconds(20));
        await h.ConnectAsync("s1");

        Send(h, 1, -1);
        Send(h, 2, -1, "hold");
        var first = await h.D1.NextAsync<InboxProgress>(p => p.HandledThrough >= 1);
        Assert.Equal(h.Backend.Id, first.BackendId);

        // The handler of message 2 blocks: the watermark stays below it.
        Send(h, 3, -1);
        Assert.Equal(1UL, first.HandledThrough);
        gate.Set();
        var last = await h.D1.NextAsync<InboxProgress>(p => p.HandledThrough == 3);
        Assert.Equal(3UL, last.HandledThrough);
        Assert.DoesNotContain(h.D1.ReceivedOf<InboxProgress>(), p => p.HandledThrough > 3);
    }

    [Fact]
    public async Task The_progress_report_sleeps_while_nothing_arrives_and_wakes_for_the_next_message()
    {
        // Issue 13: an idle backend does not wake up every ProgressInterval. The report's timer is armed
        // with a distinctive 17 ms and its fires are counted (real timers, real Redis).
        var interval = TimeSpan.FromMilliseconds(17);
        var time = new TimerFireCounter();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("ping", e => e.Ack(1))),
            time: time,
            configure: o => o.ProgressInterval = interval);
        await h.ConnectAsync("s1");

        Send(h, 1, 0);
        Assert.Equal(1UL, (await h.D1.NextAsync<InboxProgress>(p => p.HandledThrough == 1)).HandledThrough);
        await Eventually.TrueAsync(() => time.FiresOf(interval) >= 1, "the report ran");

        // An observation window of ~60 intervals with nothing arriving: before issue 13 the timer fired
        // every interval (~60 times); now at most the one run that found the last message handled.
        var before = time.FiresOf(interval);
        await Task.Delay(interval * 60);
        var idleFires = time.FiresOf(interval) - before;
        Assert.True(idleFires <= 1, $"the progress timer fired {idleFires} times in 60 intervals with nothing to report");

        // The next message arms it again: its progress is reported.
        Send(h, 2, 1);
        Assert.Equal(2UL, (await h.D1.NextAsync<InboxProgress>(p => p.HandledThrough == 2)).HandledThrough);
    }

    private static void Send(BackendHarness h, ulong sequence, int ackId, string ev = "ping")
    {
        var text = ackId >= 0 ? $"2{ackId}[\"{ev}\"]" : $"2[\"{ev}\"]";
        h.D1.Publish(h.Backend.Id, new ClientPacket("s1", Encoding.UTF8.GetBytes(text), [], h.D1.Id, sequence));
    }
}
