using Microsoft.Extensions.Time.Testing;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class RoomTests
{
    [Fact]
    public async Task JoinAsync_completes_only_when_the_distributor_confirms()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        var socket = await h.ConnectAsync("s1");
        h.D1.AcknowledgeCommands = false;

        var join = socket.JoinAsync("r1", "r2");
        var command = await h.D1.NextAsync<SocketCommand>();

        Assert.Equal(SocketCommandKind.Join, command.Kind);
        Assert.Equal(["r1", "r2"], command.Rooms);
        Assert.NotEqual(0UL, command.RequestId);
        Assert.Equal(h.D1.Channels.Backend("b1"), command.ReplyChannel);
        Assert.False(join.IsCompleted);
        Assert.Equal(["r1", "r2", "s1"], socket.Rooms.Order());

        h.D1.Publish("b1", new CommandAck(command.RequestId, "d1"));
        await join.WithTimeout("the join");
    }

    [Fact]
    public async Task JoinAsync_times_out_on_the_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"), time: time, configure: AckTests.SlowHeartbeats);
        var socket = await h.ConnectAsync("s1");
        h.D1.AcknowledgeCommands = false;

        var join = socket.JoinAsync("r1");
        await h.D1.NextAsync<SocketCommand>();
        time.Advance(TimeSpan.FromSeconds(5));

        // Not WithTimeout: it turns any TimeoutException, even the awaited task's own, into a test failure.
        await Eventually.TrueAsync(() => join.IsCompleted, "the command timeout fires");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => join);
        Assert.Contains("d1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_and_leave_without_waiting_send_commands_without_request_id()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        var socket = await h.ConnectAsync("s1");

        socket.Join("a", "b");
        socket.Leave("a");
        await socket.LeaveAsync("b").WithTimeout("the acknowledged leave");

        var commands = h.D1.ReceivedOf<SocketCommand>();
        Assert.Equal((SocketCommandKind.Join, 0UL), (commands[0].Kind, commands[0].RequestId));
        Assert.Equal((SocketCommandKind.Leave, 0UL), (commands[1].Kind, commands[1].RequestId));
        Assert.Equal(["s1"], socket.Rooms);
    }

    [Fact]
    public async Task Disconnect_fires_handlers_when_the_distributor_confirms()
    {
        var reasons = new List<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.OnDisconnect(reasons.Add)));
        var socket = await h.ConnectAsync("s1");

        socket.Disconnect(close: true);
        var command = await h.D1.NextAsync<SocketCommand>();
        Assert.Equal(SocketCommandKind.Disconnect, command.Kind);
        Assert.True(command.Close);
        Assert.Empty(reasons);

        h.D1.SendDisconnected("b1", "s1", "server namespace disconnect");
        await Eventually.TrueAsync(() => reasons.Count == 1, "the disconnect handler runs");
        Assert.Equal("server namespace disconnect", reasons[0]);
        Assert.False(socket.Connected);
        Assert.Empty(h.Backend.Of("/").Sockets);

        h.D1.SendDisconnected("b1", "s1", "transport close");
        h.D1.SendPacket("b1", "s1", "2[\"late\"]");
        await Eventually.TrueAsync(() => h.Logs.Entries.Count(e => e.EventId == 4020) == 2, "late messages are ignored");
        Assert.Single(reasons);
    }

    [Fact]
    public async Task Client_disconnect_runs_after_the_events_before_it()
    {
        var log = new List<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s
            .On<string>("say", v => log.Add(v))
            .OnDisconnect(r => log.Add("disconnect: " + r))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket("b1", "s1", "2[\"say\",\"bye\"]");
        h.D1.SendDisconnected("b1", "s1", "client namespace disconnect");

        await Eventually.TrueAsync(() => log.Count == 2, "both run");
        Assert.Equal(["bye", "disconnect: client namespace disconnect"], log);
    }
}
