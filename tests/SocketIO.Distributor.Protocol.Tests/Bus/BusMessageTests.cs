using System.Text;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>The wire contract between distributors and backends: every message round-trips, and it is append-only.</summary>
public sealed class BusMessageTests
{
    private static readonly EngineFrame[] Frames =
        [new EngineFrame("451-[\"e\",{\"_placeholder\":true,\"num\":0}]"u8.ToArray(), false), EngineFrame.Binary(new byte[] { 1, 2, 3 })];

    public static TheoryData<IBusMessage> Messages() =>
    [
        new ConnectRequest("d1", "d1.abc", "/chat", "{\"auth\":{}}"u8.ToArray(), Recovered: true),
        new ConnectResult("d1.abc", "b1", Accepted: false, "{\"message\":\"no\"}"u8.ToArray()),
        new ClientPacket("d1.abc", "21[\"hi\"]"u8.ToArray(), [new byte[] { 9 }, Array.Empty<byte>()]),
        new SocketDisconnected("d1.abc", "transport close"),
        new SendToSocket("d1.abc", EmitFlags.Volatile, Frames, "b1", 42),
        new Broadcast("/chat", ["r1", "r2"], ["r3"], EmitFlags.None, "b1", 7, Frames, 3),
        new SocketCommand("d1.abc", SocketCommandKind.Join, ["r1"], Close: false, 5, "siod:b:b1"),
        new CommandAck(5, "d1"),
        new RemoteQuery(9, "siod:b:b1", SocketCommandKind.Fetch, "/chat", ["r1"], ["r2"], [], Close: false),
        new RemoteReply(9, "d1", [new RemoteSocketInfo("d1.abc", ["r1"], "{}"u8.ToArray())]),
        new CustomMessage("b1", "reload", "{\"x\":1}"u8.ToArray()),
        new MemberLeaving("d1", MemberKind.Distributor),
        new SocketInventory("d1", [new SocketInventoryGroup("/chat", ["d1.a", "d1.b"]), new SocketInventoryGroup("/", [])]),
        new SocketInventory("d1", []),
        new SocketsUnknown("b1", ["d1.a"]),
        new ReconcileRequest("b1"),
        new ConnectRequest("d1", "d1.abc", "/chat", "{}"u8.ToArray(), Recovered: false, ChannelSequence: 300),
        new ClientPacket("d1.abc", "21[\"hi\"]"u8.ToArray(), [], "d1", 301),
        new SocketDisconnected("d1.abc", "transport close", "d1", 302),
        new SendToSocket("d1.abc", EmitFlags.None, Frames, "b1", 43, AnswersAck: 22),
        new BackendDrained("b1"),
        new InboxProgress("b1", 302),
        new InboxProbe("d1"),
        new DepartureSeen("d1"),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_to_the_same_bytes(IBusMessage message)
    {
        BusRoundTrip.AssertSameBytes(message);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_truncated_message_is_a_format_error_not_another_exception(IBusMessage message)
    {
        BusRoundTrip.AssertPrefixesAreFormatErrors(message);
    }

    [Fact]
    public void Readers_ignore_fields_appended_by_newer_writers()
    {
        var bytes = new CommandAck(5, "d1").Encode().Concat(new byte[] { 0x2a, 0x01, 0x02 }).ToArray();

        var decoded = Assert.IsType<CommandAck>(BusMessage.Decode(bytes));

        Assert.Equal(5UL, decoded.RequestId);
        Assert.Equal("d1", decoded.DistributorId);
    }

    [Fact]
    public void Messages_of_the_first_layout_still_decode_with_their_appended_fields_defaulted()
    {
        // SendToSocket and Broadcast gained sender/channel sequence fields at their end; a writer of the
        // first layout stops before them.
        var current = new SendToSocket("d1.abc", EmitFlags.None, Frames, "b1", 42).Encode();
        var firstLayout = current.AsSpan(0, current.Length - 1 - 1 - 1 - "b1".Length).ToArray();

        var decoded = Assert.IsType<SendToSocket>(BusMessage.Decode(firstLayout));

        Assert.Equal("d1.abc", decoded.SocketId);
        Assert.Equal(2, decoded.Frames.Count);
        Assert.Equal(string.Empty, decoded.SenderId);
        Assert.Equal(0UL, decoded.ChannelSequence);
    }

    [Fact]
    public void An_inventory_decodes_to_its_namespaces_and_socket_ids()
    {
        var bytes = new SocketInventory("d1", [new SocketInventoryGroup("/chat", ["d1.a", "d1.b"]), new SocketInventoryGroup("/", ["d1.c"])]).Encode();

        var decoded = Assert.IsType<SocketInventory>(BusMessage.Decode(bytes));

        Assert.Equal("d1", decoded.DistributorId);
        Assert.Equal(["/chat", "/"], decoded.Groups.Select(g => g.Namespace));
        Assert.Equal(["d1.a", "d1.b", "d1.c"], decoded.SocketIds);
        Assert.Equal(["d1.x"], Assert.IsType<SocketsUnknown>(BusMessage.Decode(new SocketsUnknown("b1", ["d1.x"]).Encode())).SocketIds);
        Assert.Equal("b1", Assert.IsType<ReconcileRequest>(BusMessage.Decode(new ReconcileRequest("b1").Encode())).BackendId);
    }

    [Fact]
    public void An_inventory_claiming_more_groups_than_bytes_is_a_format_error()
    {
        // [version][type 13]["d1"][count = 100] and nothing after.
        byte[] bytes = [BusMessage.Version, (byte)BusMessageType.SocketInventory, 2, (byte)'d', (byte)'1', 100];

        Assert.Throws<BusFormatException>(() => BusMessage.Decode(bytes));
    }

    [Fact]
    public void Messages_of_the_layouts_before_failover_decode_with_sequence_and_ack_defaulted()
    {
        // ClientPacket, ConnectRequest and SocketDisconnected gained (sender and) channel sequence, and
        // SendToSocket the ack id it answers, at their end: a writer of the older layout stops before them.
        var packet = new ClientPacket("d1.abc", "21[\"hi\"]"u8.ToArray(), [], "d1", 300).Encode();
        var oldPacket = Assert.IsType<ClientPacket>(BusMessage.Decode(packet.AsMemory(0, packet.Length - 2 - 1 - "d1".Length)));
        Assert.Equal(("d1.abc", string.Empty, 0UL), (oldPacket.SocketId, oldPacket.SenderId, oldPacket.ChannelSequence));

        var request = new ConnectRequest("d1", "d1.abc", "/chat", "{}"u8.ToArray(), true, 300).Encode();
        var oldRequest = Assert.IsType<ConnectRequest>(BusMessage.Decode(request.AsMemory(0, request.Length - 2)));
        Assert.Equal((true, 0UL), (oldRequest.Recovered, oldRequest.ChannelSequence));

        var disconnected = new SocketDisconnected("d1.abc", "transport close", "d1", 300).Encode();
        var oldDisconnected = Assert.IsType<SocketDisconnected>(BusMessage.Decode(disconnected.AsMemory(0, disconnected.Length - 2 - 1 - "d1".Length)));
        Assert.Equal(("transport close", 0UL), (oldDisconnected.Reason, oldDisconnected.ChannelSequence));

        var send = new SendToSocket("d1.abc", EmitFlags.None, Frames, "b1", 42, AnswersAck: 5).Encode();
        var oldSend = Assert.IsType<SendToSocket>(BusMessage.Decode(send.AsMemory(0, send.Length - 1)));
        Assert.Equal((42UL, 0UL), (oldSend.ChannelSequence, oldSend.AnswersAck));
    }

    [Fact]
    public void An_unknown_version_or_type_is_a_format_error()
    {
        Assert.Throws<BusFormatException>(() => BusMessage.Decode(new byte[] { 2, 1 }));
        Assert.Throws<BusFormatException>(() => BusMessage.Decode(new byte[] { BusMessage.Version, 200 }));
        Assert.Throws<BusFormatException>(() => BusMessage.Decode(Array.Empty<byte>()));
    }

    [Fact]
    public void Frames_are_slices_of_the_message_not_copies()
    {
        var bytes = new SendToSocket("s", EmitFlags.None, Frames).Encode();

        var decoded = (SendToSocket)BusMessage.Decode(bytes);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(decoded.Frames[0].Bytes, out var segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal("451-[\"e\",{\"_placeholder\":true,\"num\":0}]", Encoding.UTF8.GetString(decoded.Frames[0].Bytes.Span));
    }
}
