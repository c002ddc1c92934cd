using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class BroadcastTests
{
    [Fact]
    public async Task Namespace_emit_is_one_broadcast_on_the_namespace_channel()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat"));

        h.Backend.Of("/chat").Emit("news", "hello", 1);

        var broadcast = await h.D1.NextAsync<Broadcast>(channel: h.D1.Channels.Namespace("/chat"));
        Assert.Equal("/chat", broadcast.Namespace);
        Assert.Empty(broadcast.Rooms);
        Assert.Empty(broadcast.Except);
        Assert.Equal(EmitFlags.None, broadcast.Flags);
        Assert.Equal("b1", broadcast.OriginId);
        Assert.Equal(["42/chat,[\"news\",\"hello\",1]"], BackendHarness.Text(broadcast.Frames));
    }

    [Fact]
    public async Task Room_emit_publishes_the_same_broadcast_on_each_room_channel()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        var r1 = h.D1.Channels.Room("/", "r1");
        var r2 = h.D1.Channels.Room("/", "r2");
        var r3 = h.D1.Channels.Room("/", "r3");
        await h.D1.WatchAsync(r1);
        await h.D1.WatchAsync(r2);
        await h.D1.WatchAsync(r3);

        var op = h.Backend.Of("/").To("r1").To("r2", "r1").Except("r3");
        op.Emit("tick", new byte[] { 1 });

        var onR1 = await h.D1.NextAsync<Broadcast>(channel: r1);
        var onR2 = await h.D1.NextAsync<Broadcast>(channel: r2);
        Assert.Equal(["r1", "r2"], onR1.Rooms);
        Assert.Equal(["r3"], onR1.Except);
        Assert.Equal(["451-[\"tick\",{\"_placeholder\":true,\"num\":0}]", "<bin:01>"], BackendHarness.Text(onR1.Frames));
        var bytes = h.D1.All.Where(r => r.Message is Broadcast).Select(r => r.Bytes).ToList();
        Assert.Equal(2, bytes.Count);
        Assert.Equal(bytes[0], bytes[1]);
        Assert.Equal(onR1.Sequence, onR2.Sequence);
        Assert.Empty(h.D1.ReceivedOf<Broadcast>(r3));
    }

    [Fact]
    public async Task Broadcast_operators_are_immutable_and_sequences_increase()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        await h.D1.WatchAsync(h.D1.Channels.Room("/", "a"));
        var nsp = h.Backend.Of("/");

        var toA = nsp.To("a");
        var toAExceptB = toA.Except("b");
        var volatileA = toA.Volatile;
        toA.Emit("one");
        volatileA.Emit("two");

        Assert.Equal(["a"], toA.Rooms);
        Assert.Empty(toA.ExceptRooms);
        Assert.Equal(["b"], toAExceptB.ExceptRooms);
        Assert.False(toA.IsVolatile);
        var channel = h.D1.Channels.Room("/", "a");
        var second = await h.D1.NextAsync<Broadcast>(b => b.Flags == EmitFlags.Volatile, channel);
        var first = h.D1.ReceivedOf<Broadcast>(channel)[0];
        Assert.Equal(EmitFlags.None, first.Flags);
        Assert.Empty(first.Except);
        Assert.True(second.Sequence > first.Sequence);
    }

    [Fact]
    public async Task Volatile_namespace_and_socket_emits_carry_the_flag()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        var socket = await h.ConnectAsync("s1");

        h.Backend.Of("/").Volatile.Emit("position", 1);
        socket.Volatile.Emit("position", 2);

        Assert.Equal(EmitFlags.Volatile, (await h.D1.NextAsync<Broadcast>()).Flags);
        Assert.Equal(EmitFlags.Volatile, (await h.SentAsync("s1", "42[\"position\",2]")).Flags);
    }

    [Fact]
    public async Task Socket_broadcast_and_to_leave_the_socket_itself_out()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        await h.D1.WatchAsync(h.D1.Channels.Room("/", "game"));
        var socket = await h.ConnectAsync("s1");

        socket.Broadcast.Emit("joined");
        socket.To("game").Emit("moved");

        var all = await h.D1.NextAsync<Broadcast>(channel: h.D1.Channels.Namespace("/"));
        Assert.Equal(["s1"], all.Except);
        var game = await h.D1.NextAsync<Broadcast>(channel: h.D1.Channels.Room("/", "game"));
        Assert.Equal(["game"], game.Rooms);
        Assert.Equal(["s1"], game.Except);
    }

    [Fact]
    public async Task Emit_to_a_socket_of_this_backend_goes_straight_to_its_distributor()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"), distributors: ["d1", "d2"]);
        var s1 = await h.ConnectAsync("s1");
        await h.ConnectAsync("s2", via: h.D2);

        h.Backend.Of("/").To("s2").Emit("private", "psst");
        s1.To("s1", "s2").Emit("not to myself");

        var direct = await h.SentAsync("s2", "42[\"private\"", h.D2);
        Assert.Equal(["42[\"private\",\"psst\"]"], BackendHarness.Text(direct.Frames));
        await h.SentAsync("s2", "42[\"not to myself\"", h.D2);
        Assert.DoesNotContain(h.D1.ReceivedOf<SendToSocket>(), s => BackendHarness.Text(s.Frames)[0].Contains("not to myself", StringComparison.Ordinal));
        Assert.Empty(h.D1.ReceivedOf<Broadcast>());
    }

    [Fact]
    public async Task Emit_to_a_socket_another_backend_serves_goes_straight_to_the_distributor_its_id_names()
    {
        // Regression: io.To(socketId) for a socket of another replica was published on a room channel
        // nobody subscribes to, so private messages between users on different replicas were lost.
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"), distributors: ["d1", "d2"]);
        await h.DistributorsSeenAsync("/", 2);

        h.Backend.Of("/").To("d2.elsewhere").Emit("private", "psst");
        h.Backend.Of("/").To("d3.nobody-serves-d3").Emit("lost", "x");

        var direct = await h.SentAsync("d2.elsewhere", "42[\"private\"", h.D2);
        Assert.Equal(["42[\"private\",\"psst\"]"], BackendHarness.Text(direct.Frames));
        Assert.Empty(h.D1.ReceivedOf<SendToSocket>());
    }

    [Fact]
    public async Task Emit_to_a_socket_of_a_distributor_the_backend_has_not_seen_yet_still_reaches_that_distributor()
    {
        // Regression (red in CI under load): a distributor that started after the backend's last members
        // refresh was not "live" here, so io.To(itsSocketId) went only to a room channel nobody subscribes
        // to and was lost. Now it also goes to the inbox its id names (and still to the room's channel,
        // in case the name is a room's).
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        await using var fresh = await RedisBus.ConnectAsync(h.Bus, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var inbox = new System.Collections.Concurrent.ConcurrentQueue<IBusMessage>();
        var room = new System.Collections.Concurrent.ConcurrentQueue<IBusMessage>();
        await using var inboxSubscription = await fresh.SubscribeAsync(fresh.Channels.Distributor("d9"), bytes => inbox.Enqueue(BusMessage.Decode(bytes)));
        await using var roomSubscription = await fresh.SubscribeAsync(fresh.Channels.Room("/", "d9.fresh"), bytes => room.Enqueue(BusMessage.Decode(bytes)));
        Assert.DoesNotContain(h.Backend.Members, m => m.Id == "d9");

        h.Backend.Of("/").To("d9.fresh").Emit("private", "psst");

        await Eventually.TrueAsync(() => !inbox.IsEmpty && !room.IsEmpty, "the broadcast on d9's inbox and on the room's channel");
        var direct = Assert.IsType<Broadcast>(Assert.Single(inbox));
        var viaRoom = Assert.IsType<Broadcast>(Assert.Single(room));
        Assert.Equal(["d9.fresh"], direct.Rooms);
        Assert.Equal(["42[\"private\",\"psst\"]"], BackendHarness.Text(direct.Frames));
        Assert.Equal((direct.OriginId, direct.Sequence), (viaRoom.OriginId, viaRoom.Sequence));
    }

    [Fact]
    public async Task Each_channel_numbers_its_messages_so_distributors_can_count_what_redis_dropped()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat"));
        var socket = await h.ConnectAsync("s1", "/chat");
        var nsp = h.D1.Channels.Namespace("/chat");

        for (var i = 0; i < 3; i++)
        {
            h.Backend.Of("/chat").Emit("news", i);
            socket.Emit("direct", i);
        }

        await Eventually.TrueAsync(
            () => h.D1.ReceivedOf<Broadcast>(nsp).Count == 3 && h.D1.ReceivedOf<SendToSocket>().Count(m => m.SocketId == "s1") >= 3,
            "three broadcasts and three direct emits");
        var broadcasts = h.D1.ReceivedOf<Broadcast>(nsp).Select(b => b.ChannelSequence).ToList();
        var sent = h.D1.ReceivedOf<SendToSocket>().Where(m => BackendHarness.Text(m.Frames)[0].StartsWith("42/chat,[\"direct\"", StringComparison.Ordinal)).ToList();
        Assert.All(sent, m => Assert.Equal("b1", m.SenderId));
        var direct = sent.Select(m => m.ChannelSequence).ToList();

        Assert.Equal([1UL, 2UL, 3UL], broadcasts);
        Assert.Equal(3, direct.Count);
        Assert.Equal(direct.Order(), direct);
        Assert.Equal(direct[0] + 2, direct[2]);
    }

    [Fact]
    public async Task Reserved_event_names_are_refused()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));

        var error = Assert.Throws<ArgumentException>(() => h.Backend.Of("/").Emit("disconnect"));
        Assert.Contains("reserved", error.Message, StringComparison.Ordinal);
    }
}
