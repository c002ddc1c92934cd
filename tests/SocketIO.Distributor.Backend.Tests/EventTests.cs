using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class EventTests
{
    private sealed record ChatMessage(string Text, int Priority);

    [Fact]
    public async Task On_receives_the_event_name_and_arguments()
    {
        var received = new TaskCompletionSource<SocketEvent>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("hello", e => received.TrySetResult(e))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """2["hello",1,"two",{"three":3}]""");

        var e = await received.Task.WithTimeout("the event");
        Assert.Equal("hello", e.Name);
        Assert.Equal(3, e.Arguments.Count);
        Assert.Equal(1, e.Arguments[0].GetInt32());
        Assert.Equal("two", e.Arguments.Get<string>(1));
        Assert.Equal(3, e.Arguments[2].GetProperty("three").GetInt32());
        Assert.False(e.HasAck);
        Assert.Null(e.Arguments.Get<string>(7));
    }

    [Fact]
    public async Task On_T_binds_the_first_argument_with_web_defaults()
    {
        var received = new TaskCompletionSource<ChatMessage>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat").OnConnection(s => s.On<ChatMessage>("message", m => received.TrySetResult(m))));
        await h.ConnectAsync("s1", "/chat");

        h.D1.SendPacket(h.Backend.Id, "s1", """2/chat,["message",{"text":"hi","priority":2}]""");

        Assert.Equal(new ChatMessage("hi", 2), await received.Task.WithTimeout("the message"));
    }

    [Fact]
    public async Task Ack_from_a_handler_answers_the_client_callback_once()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat").OnConnection(s => s.On("ping", e =>
        {
            e.Ack("pong", 1);
            e.Ack("ignored");
        })));
        await h.ConnectAsync("s1", "/chat");

        h.D1.SendPacket(h.Backend.Id, "s1", """2/chat,17["ping"]""");

        var ack = await h.SentAsync("s1", "43");
        Assert.Equal(["43/chat,17[\"pong\",1]"], BackendHarness.Text(ack.Frames));
        h.D1.SendPacket(h.Backend.Id, "s1", """2/chat,18["ping"]""");
        await h.SentAsync("s1", "43/chat,18");
        Assert.Equal(2, h.D1.ReceivedOf<Protocol.Bus.SendToSocket>().Count(s => BackendHarness.Text(s.Frames)[0].StartsWith("43", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task OnAsync_acknowledges_null_and_the_result()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s =>
            s.OnAsync<ChatMessage, object>("send", async m =>
            {
                await Task.Yield();
                return new { id = 7, echo = m.Text };
            })));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """25["send",{"text":"hi"}]""");

        var ack = await h.SentAsync("s1", "43");
        Assert.Equal(["435[null,{\"id\":7,\"echo\":\"hi\"}]"], BackendHarness.Text(ack.Frames));
    }

    [Fact]
    public async Task OnAsync_maps_a_socket_handler_exception_to_its_message_and_others_to_internal_server_error()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s
            .OnAsync<string, int>("public", _ => throw new SocketHandlerException("name taken"))
            .OnAsync<string, int>("private", _ => throw new InvalidOperationException("database password is wrong"))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """21["public","x"]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """22["private","x"]""");

        Assert.Equal(["431[\"name taken\"]"], BackendHarness.Text((await h.SentAsync("s1", "431")).Frames));
        Assert.Equal(["432[\"Internal server error\"]"], BackendHarness.Text((await h.SentAsync("s1", "432")).Frames));
        Assert.Contains(h.Logs.Errors, e => e.EventId == 4032 && e.Exception is InvalidOperationException);
        Assert.DoesNotContain(h.Logs.Errors, e => e.Exception is SocketHandlerException);
    }

    [Fact]
    public async Task OnAsync_answers_invalid_arguments_when_they_do_not_bind()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.OnAsync<int, int>("double", x => Task.FromResult(x * 2))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """21["double","not a number"]""");

        Assert.Equal(["431[\"Invalid arguments\"]"], BackendHarness.Text((await h.SentAsync("s1", "431")).Frames));
    }

    [Fact]
    public async Task A_throwing_handler_is_logged_and_affects_nothing_else()
    {
        var after = new TaskCompletionSource<string>();
        var other = new TaskCompletionSource<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s
            .On("bad", _ => throw new InvalidOperationException("handler bug"))
            .On("bad", e => e.Ack("second handler still runs"))
            .On<string>("good", v => (s.Id == "s1" ? after : other).TrySetResult(v))));
        await h.ConnectAsync("s1");
        await h.ConnectAsync("s2");

        h.D1.SendPacket(h.Backend.Id, "s1", """21["bad"]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """2["good","s1 ok"]""");
        h.D1.SendPacket(h.Backend.Id, "s2", """2["good","s2 ok"]""");

        Assert.Equal("s1 ok", await after.Task.WithTimeout("the next event of the same socket"));
        Assert.Equal("s2 ok", await other.Task.WithTimeout("an event of another socket"));
        await h.SentAsync("s1", "431[\"second handler still runs\"]");
        Assert.Contains(h.Logs.Errors, e => e.EventId == 4032 && e.Message.Contains("'bad'", StringComparison.Ordinal));
        Assert.True(h.Backend.Of("/").Sockets["s1"].Connected);
    }

    [Fact]
    public async Task Handlers_start_in_order_and_an_awaiting_handler_does_not_hold_up_the_next_event()
    {
        // Regression: a handler awaiting EmitWithAckAsync blocked the socket's later events, so two
        // server-ack requests in a row deadlocked (the client acks only after both arrive).
        var gate = new TaskCompletionSource();
        var log = new List<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s
            .On<int>("n", async n =>
            {
                lock (log)
                {
                    log.Add($"start {n}");
                }

                if (n == 1)
                {
                    await gate.Task;
                }

                lock (log)
                {
                    log.Add($"end {n}");
                }
            })));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """2["n",1]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """2["n",2]""");
        await Eventually.TrueAsync(() => { lock (log) { return log.Contains("end 2"); } }, "the second event runs while the first handler awaits");
        lock (log)
        {
            Assert.Equal(["start 1", "start 2", "end 2"], log);
        }

        gate.SetResult();
        await Eventually.TrueAsync(() => { lock (log) { return log.Contains("end 1"); } }, "the first handler completes");
    }

    [Fact]
    public async Task OnAny_sees_every_event_before_its_handlers()
    {
        var seen = new List<string>();
        var done = new TaskCompletionSource();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s
            .OnAny(e => seen.Add("any " + e.Name))
            .On("b", _ =>
            {
                seen.Add("b");
                done.SetResult();
            })));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """2["a"]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """2["b"]""");

        await done.Task.WithTimeout("b");
        Assert.Equal(["any a", "any b", "b"], seen);
    }

    [Fact]
    public async Task Malformed_and_foreign_packets_are_dropped_with_a_warning()
    {
        var received = new TaskCompletionSource<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat").OnConnection(s => s.On<string>("ok", v => received.TrySetResult(v))));
        await h.ConnectAsync("s1", "/chat");

        h.D1.SendPacket(h.Backend.Id, "s1", "2/chat,[\"ok\"");
        h.D1.SendPacket(h.Backend.Id, "s1", "2[\"ok\",\"wrong namespace\"]");
        h.D1.SendPacket(h.Backend.Id, "s1", "2/chat,[\"ok\",\"right\"]");

        Assert.Equal("right", await received.Task.WithTimeout("the valid event"));
        Assert.Equal(2, h.Logs.Entries.Count(e => e.EventId == 4021));
    }
}
