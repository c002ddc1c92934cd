using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>The session relay's bus messages (types 19-22): they round-trip, truncation is a format error, and the layout is pinned.</summary>
public sealed class RelayMessageTests
{
    public static TheoryData<IBusMessage> Messages() =>
    [
        new RelayRequest(7, "d2", "d1.abc", RelayRequestKind.PollPost, "?EIO=3&transport=polling&sid=d1.abc&b64=1", "application/octet-stream", new byte[] { 0, 1, 0xff }),
        new RelayRequest(8, "d2", "d1.abc", RelayRequestKind.PollGet, "?EIO=4&transport=polling&sid=d1.abc", string.Empty, ReadOnlyMemory<byte>.Empty),
        new RelayRequest(9, "d2", "d1.abc", RelayRequestKind.WebSocket, "?EIO=4&transport=websocket&sid=d1.abc", string.Empty, ReadOnlyMemory<byte>.Empty),
        new RelayResponse(7, "d1", 200, "text/plain; charset=UTF-8", "2\u001e42[\"x\"]"u8.ToArray()),
        new RelayResponse(9, "d1", 101, string.Empty, ReadOnlyMemory<byte>.Empty),
        new TunnelFrame(9, "d2", ToHolder: true, TunnelFrameKind.Text, "2probe"u8.ToArray()),
        new TunnelFrame(9, "d1", ToHolder: false, TunnelFrameKind.Binary, new byte[] { 1, 2, 3 }),
        new TunnelFrame(9, "d1", ToHolder: false, TunnelFrameKind.Close, ReadOnlyMemory<byte>.Empty),
        new RelayCancel(7, "d2", ToHolder: true, "client gone"),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_relay_message_round_trips_to_the_same_bytes(IBusMessage message)
    {
        BusRoundTrip.AssertSameBytes(message);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_truncated_relay_message_is_a_format_error_not_another_exception(IBusMessage message)
    {
        BusRoundTrip.AssertPrefixesAreFormatErrors(message);
    }

    [Fact]
    public void The_layouts_are_pinned_type_numbers_19_to_22()
    {
        Assert.Equal(
            [BusMessage.Version, 22, 7, 2, (byte)'d', (byte)'2', 1, 2, (byte)'g', (byte)'o'],
            new RelayCancel(7, "d2", ToHolder: true, "go").Encode());
        Assert.Equal(
            [BusMessage.Version, 21, 9, 2, (byte)'d', (byte)'1', 0, 2, 1, 5],
            new TunnelFrame(9, "d1", ToHolder: false, TunnelFrameKind.Binary, new byte[] { 5 }).Encode());
        Assert.Equal(
            [BusMessage.Version, 20, 7, 2, (byte)'d', (byte)'1', 101, 0, 0],
            new RelayResponse(7, "d1", 101, string.Empty, ReadOnlyMemory<byte>.Empty).Encode());
        Assert.Equal(
            [BusMessage.Version, 19, 7, 2, (byte)'d', (byte)'2', 1, (byte)'s', 2, 1, (byte)'?', 0, 1, 9],
            new RelayRequest(7, "d2", "s", RelayRequestKind.PollPost, "?", string.Empty, new byte[] { 9 }).Encode());
    }
}
