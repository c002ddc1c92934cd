using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>The messages of the backend API (types 23-26) and the ack fields appended to <see cref="Broadcast"/>.</summary>
public sealed class ApiMessageTests
{
    private static readonly EngineFrame[] Frames = [new EngineFrame("421073741824[\"q\"]"u8.ToArray(), false)];

    public static TheoryData<IBusMessage> Messages() =>
    [
        new BroadcastAckCount(7, "d1", 12),
        new BroadcastAckAnswer(7, "d1.abc", "431073741824[\"yes\"]"u8.ToArray(), [new byte[] { 1, 2 }]),
        new ServerSideEmit("/chat", "b1", "hello", "[1,\"two\"]"u8.ToArray(), 0, string.Empty),
        new ServerSideEmit("/chat", "b1", "ping", "[]"u8.ToArray(), 9, "siod:b:b1"),
        new ServerSideReply(9, "b2", "[\"pong\"]"u8.ToArray()),
        new Broadcast("/chat", ["r1"], [], EmitFlags.Compress, "b1", 8, Frames, 4, AckRequestId: 7, ReplyChannel: "siod:b:b1", AckId: 1UL << 30, AckTimeoutMs: 5000),
        new RoomsChanged("d1.abc", Joined: true, ["red", "blue"]),
        new RoomsChanged("d1.abc", Joined: false, []),
        new SocketDataChanged("d1.abc", "{\"user\":\"ann\",\"score\":3}"u8.ToArray()),
        new RemoteReply(9, "d1", [new RemoteSocketInfo("d1.a", ["r1"], "{}"u8.ToArray(), "{\"user\":\"ann\"}"u8.ToArray()), new RemoteSocketInfo("d1.b", [], "{}"u8.ToArray())]),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_api_message_round_trips_to_the_same_bytes(IBusMessage message)
    {
        BusRoundTrip.AssertSameBytes(message);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_truncated_api_message_is_a_format_error_not_another_exception(IBusMessage message)
    {
        BusRoundTrip.AssertPrefixesAreFormatErrors(message);
    }

    [Fact]
    public void A_broadcast_with_acks_carries_its_ack_fields_and_an_old_broadcast_asks_for_none()
    {
        var withAcks = new Broadcast("/chat", [], [], EmitFlags.None, "b1", 8, Frames, 4, 7, "siod:b:b1", 1UL << 30, 5000);
        var decoded = Assert.IsType<Broadcast>(BusMessage.Decode(withAcks.Encode()));
        Assert.Equal((7UL, "siod:b:b1", 1UL << 30, 5000UL), (decoded.AckRequestId, decoded.ReplyChannel, decoded.AckId, decoded.AckTimeoutMs));

        // A plain broadcast writes no ack fields at all: its bytes are those of the layout before them.
        var plain = new Broadcast("/chat", [], [], EmitFlags.None, "b1", 8, Frames, 4).Encode();
        Assert.Equal(plain, withAcks.Encode().AsSpan(0, plain.Length).ToArray());
        var old = Assert.IsType<Broadcast>(BusMessage.Decode(plain));
        Assert.Equal((0UL, string.Empty, 4UL), (old.AckRequestId, old.ReplyChannel, old.ChannelSequence));
    }

    [Fact]
    public void A_remote_reply_carries_each_sockets_data_after_the_first_layout_which_still_decodes()
    {
        var reply = new RemoteReply(9, "d1", [new RemoteSocketInfo("d1.a", ["r1"], "{}"u8.ToArray(), "{\"user\":\"ann\"}"u8.ToArray()), new RemoteSocketInfo("d1.b", [], "{}"u8.ToArray())]);
        var bytes = reply.Encode();

        var decoded = Assert.IsType<RemoteReply>(BusMessage.Decode(bytes));
        Assert.Equal("{\"user\":\"ann\"}", System.Text.Encoding.UTF8.GetString(decoded.Sockets[0].DataJson.Span));
        Assert.True(decoded.Sockets[1].DataJson.IsEmpty);

        // The first layout stops after the sockets: [count = 2][len + data][len 0].
        var firstLayout = bytes.AsMemory(0, bytes.Length - 1 - 1 - "{\"user\":\"ann\"}"u8.Length - 1);
        var old = Assert.IsType<RemoteReply>(BusMessage.Decode(firstLayout));
        Assert.Equal(["d1.a", "d1.b"], old.Sockets.Select(s => s.SocketId));
        Assert.All(old.Sockets, s => Assert.True(s.DataJson.IsEmpty));
    }

    [Fact]
    public void The_api_message_numbers_are_23_to_28()
    {
        Assert.Equal(
            [23, 24, 25, 26, 27, 28],
            new[]
            {
                BusMessageType.BroadcastAckCount, BusMessageType.BroadcastAckAnswer, BusMessageType.ServerSideEmit,
                BusMessageType.ServerSideReply, BusMessageType.RoomsChanged, BusMessageType.SocketDataChanged,
            }.Select(t => (int)t));
        Assert.Equal(2, (int)EmitFlags.Compress);
    }

    [Fact]
    public void A_members_record_without_dynamic_namespace_fields_still_reads_and_one_with_them_round_trips()
    {
        var old = System.Text.Json.JsonSerializer.Deserialize("{\"id\":\"b1\",\"kind\":\"Backend\",\"namespaces\":[\"/chat\"]}", MemberInfoJsonContext.Default.MemberInfo)!;
        Assert.Empty(old.NamespacePatterns);
        Assert.False(old.AcceptsAnyNamespace);

        var member = new MemberInfo { Id = "b1", Kind = MemberKind.Backend, NamespacePatterns = ["^/game-\\d+$"], AcceptsAnyNamespace = true };
        var json = System.Text.Json.JsonSerializer.Serialize(member, MemberInfoJsonContext.Default.MemberInfo);
        var back = System.Text.Json.JsonSerializer.Deserialize(json, MemberInfoJsonContext.Default.MemberInfo)!;
        Assert.Equal(["^/game-\\d+$"], back.NamespacePatterns);
        Assert.True(back.AcceptsAnyNamespace);
    }

    [Fact]
    public void What_the_socket_data_copy_costs_on_the_bus()
    {
        // One SocketDataChanged per burst of writes: envelope + socket id + the whole data as JSON.
        var data = "{\"user\":\"ann\",\"score\":3}"u8.ToArray();
        var message = new SocketDataChanged("d1-abcdef.0123456789abcdefghij", data).Encode();
        Assert.Equal(2 + 1 + 30 + 1 + data.Length, message.Length);
    }
}
