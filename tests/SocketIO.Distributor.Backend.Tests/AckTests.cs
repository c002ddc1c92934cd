using Microsoft.Extensions.Time.Testing;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class AckTests
{
    [Fact]
    public async Task EmitWithAckAsync_resolves_with_the_client_acknowledgement()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat"));
        var socket = await h.ConnectAsync("s1", "/chat");

        var first = socket.EmitWithAckAsync("question", ["how many?"]);
        var second = socket.EmitWithAckAsync("question", ["and bytes?"]);
        await h.SentAsync("s1", "42/chat,0[");
        await h.SentAsync("s1", "42/chat,1[");
        h.D1.SendPacket(h.Backend.Id, "s1", """3/chat,1["second"]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """61-/chat,0[42,{"_placeholder":true,"num":0}]""", [5, 6]);

        var answer = await first.WithTimeout("the first ack");
        Assert.Equal(42, answer.Get<int>(0));
        Assert.Equal([5, 6], answer.Get<byte[]>(1));
        Assert.Equal("second", (await second.WithTimeout("the second ack")).Get<string>(0));
    }

    [Fact]
    public async Task Acknowledgements_resume_their_handlers_in_the_order_the_client_sent_them()
    {
        // Regression: awaiting handlers resumed on the thread pool, so two acks sent back to back
        // could take effect in either order (the wire suite's server-ack test failed now and then).
        var resumed = new List<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("ask", async e =>
        {
            var answer = await s.EmitWithAckAsync("question", [e.Arguments.Get<string>(0)]);
            lock (resumed)
            {
                resumed.Add(answer.Get<string>(0)!);
            }
        })));
        await h.ConnectAsync("s1");

        for (var round = 0; round < 20; round++)
        {
            h.D1.SendPacket(h.Backend.Id, "s1", "2[\"ask\",\"a" + round + "\"]");
            h.D1.SendPacket(h.Backend.Id, "s1", "2[\"ask\",\"b" + round + "\"]");
            await h.SentAsync("s1", "42" + (round * 2) + "[");
            await h.SentAsync("s1", "42" + ((round * 2) + 1) + "[");
            h.D1.SendPacket(h.Backend.Id, "s1", "3" + ((round * 2) + 1) + "[\"b" + round + "\"]");
            h.D1.SendPacket(h.Backend.Id, "s1", "3" + (round * 2) + "[\"a" + round + "\"]");
        }

        await Eventually.TrueAsync(() => { lock (resumed) { return resumed.Count == 40; } }, "every handler resumes");
        lock (resumed)
        {
            Assert.Equal(Enumerable.Range(0, 20).SelectMany(r => new[] { $"b{r}", $"a{r}" }), resumed);
        }
    }

    [Fact]
    public async Task EmitWithAckAsync_times_out_on_the_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"), time: time, configure: SlowHeartbeats);
        var socket = await h.ConnectAsync("s1");

        var defaultTimeout = socket.EmitWithAckAsync("slow", []);
        var shortTimeout = socket.EmitWithAckAsync("slower", [], TimeSpan.FromSeconds(2));
        await h.SentAsync("s1", "421[\"slower\"]");

        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => shortTimeout.IsCompleted, "the short timeout fires");
        await Assert.ThrowsAsync<TimeoutException>(() => shortTimeout);
        Assert.False(defaultTimeout.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(8));
        await Eventually.TrueAsync(() => defaultTimeout.IsCompleted, "the default timeout fires");
        await Assert.ThrowsAsync<TimeoutException>(() => defaultTimeout);

        h.D1.SendPacket(h.Backend.Id, "s1", """30["too late"]""");
        await Eventually.TrueAsync(() => h.Logs.Has(4022), "the late ack is logged");
    }

    [Fact]
    public async Task EmitWithAckAsync_fails_when_the_socket_disconnects()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        var socket = await h.ConnectAsync("s1");

        var pending = socket.EmitWithAckAsync("q", []);
        h.D1.SendDisconnected(h.Backend.Id, "s1", "transport close");

        await Assert.ThrowsAsync<InvalidOperationException>(() => pending.WithTimeout("the failure"));
    }

    [Fact]
    public async Task A_handler_may_await_the_client_acknowledgement()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("start", async e =>
        {
            var confirmed = await s.EmitWithAckAsync("confirm", []);
            e.Ack(confirmed.Get<bool>(0) ? "confirmed" : "refused");
        })));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """21["start"]""");
        await h.SentAsync("s1", "420[\"confirm\"]");
        h.D1.SendPacket(h.Backend.Id, "s1", "30[true]");

        await h.SentAsync("s1", "431[\"confirmed\"]");
    }

    /// <summary>Keeps heartbeats out of the way of a fake clock that is advanced by seconds.</summary>
    internal static void SlowHeartbeats(BackendOptions options)
    {
        options.Bus.HeartbeatInterval = TimeSpan.FromHours(1);
        options.Bus.MemberTimeout = TimeSpan.FromHours(3);
    }
}
