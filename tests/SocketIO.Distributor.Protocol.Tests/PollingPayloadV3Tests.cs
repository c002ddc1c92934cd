using System.Buffers;
using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>
/// EIO3 polling payloads (engine.io-parser 2.x): text <c>&lt;utf16 length&gt;:&lt;packet&gt;</c> with
/// <c>b4&lt;base64&gt;</c> binary, and the XHR2 binary form <c>&lt;0|1&gt;&lt;digits&gt;&lt;0xFF&gt;&lt;packet&gt;</c>.
/// </summary>
public sealed class PollingPayloadV3Tests
{
    /// <summary>The engine.io-parser 4.0.0 changelog's v3 encoding of ["hello", 01 02 03].</summary>
    private static readonly byte[] ChangelogBinaryPayload =
        [0x00, 0x06, 0xff, 0x34, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x04, 0xff, 0x04, 0x01, 0x02, 0x03];

    [Fact]
    public void Decode_text_counts_lengths_in_utf16_units()
    {
        // engine.io-parser 4.0.0 changelog: [hello, €€€] encodes as 6:4hello4:4€€€ in protocol v3.
        var packets = Decode("6:4hello4:4€€€", isBinaryPayload: false);

        Assert.Collection(
            packets,
            p => AssertText(p, EnginePacketType.Message, "hello"),
            p => AssertText(p, EnginePacketType.Message, "€€€"));
    }

    [Theory]
    [InlineData("2:4€", "€")]
    [InlineData("3:4😀", "😀")]
    [InlineData("5:4a😀b", "a😀b")]
    [InlineData("5:4é€😀", "é€😀")]
    public void Decode_text_counts_a_surrogate_pair_as_two_units(string body, string data)
    {
        AssertText(Assert.Single(Decode(body, isBinaryPayload: false)), EnginePacketType.Message, data);
    }

    [Fact]
    public void Decode_text_reads_base64_binary_and_control_packets()
    {
        var packets = Decode("1:210:b4AQIDBA==6:2probe1:6", isBinaryPayload: false);

        Assert.Collection(
            packets,
            p => AssertText(p, EnginePacketType.Ping, string.Empty),
            p => AssertBinary(p, [1, 2, 3, 4]),
            p => AssertText(p, EnginePacketType.Ping, "probe"),
            p => AssertText(p, EnginePacketType.Noop, string.Empty));
    }

    [Fact]
    public void Decode_text_takes_colons_and_digits_inside_a_packet_as_data()
    {
        // A Socket.IO v2 (EIO3) client's payload: a namespace connect, then an event whose name holds a colon.
        var packets = Decode("10:40/stream,22:42/stream,[\"a:1\",\"2:\"]", isBinaryPayload: false);

        Assert.Collection(
            packets,
            p => AssertText(p, EnginePacketType.Message, "0/stream,"),
            p => AssertText(p, EnginePacketType.Message, "2/stream,[\"a:1\",\"2:\"]"));
    }

    [Theory]
    [InlineData("2:4😀", DecodeError.InvalidLength)]
    [InlineData(":4hello", DecodeError.InvalidLength)]
    [InlineData("6x4hello", DecodeError.InvalidLength)]
    [InlineData("4hello", DecodeError.InvalidLength)]
    [InlineData("7:4hello", DecodeError.InvalidLength)]
    [InlineData("6:4hello1", DecodeError.InvalidLength)]
    [InlineData("-1:4", DecodeError.InvalidLength)]
    [InlineData("99999999999:4", DecodeError.InvalidLength)]
    [InlineData("2147483648:4", DecodeError.InvalidLength)]
    [InlineData("0:", DecodeError.Empty)]
    [InlineData("1:9", DecodeError.UnknownPacketType)]
    [InlineData("1:b", DecodeError.UnknownPacketType)]
    [InlineData("2:b9", DecodeError.UnknownPacketType)]
    [InlineData("5:b4AQI", DecodeError.InvalidBase64)]
    public void Decode_text_rejects_malformed_bodies(string body, DecodeError expected)
    {
        Assert.Equal(expected, PollingPayloadV3.Decode(Encoding.UTF8.GetBytes(body), isBinaryPayload: false, []));
    }

    [Fact]
    public void Decode_text_rejects_invalid_utf8_inside_a_packet()
    {
        byte[] body = [(byte)'2', (byte)':', (byte)'4', 0xc3, 0x28];

        Assert.Equal(DecodeError.InvalidUtf8, PollingPayloadV3.Decode(body, isBinaryPayload: false, []));
    }

    [Fact]
    public void Decode_binary_reads_the_changelog_example()
    {
        var packets = new List<EnginePacket>();

        Assert.Equal(DecodeError.None, PollingPayloadV3.Decode(ChangelogBinaryPayload, isBinaryPayload: true, packets));

        Assert.Collection(
            packets,
            p => AssertText(p, EnginePacketType.Message, "hello"),
            p => AssertBinary(p, [1, 2, 3]));
    }

    [Fact]
    public void Decode_binary_counts_text_lengths_in_bytes()
    {
        byte[] body = [0x00, 0x02, 0x08, 0xff, .. "4€€€€€€€€€"u8, 0x00, 0x01, 0xff, (byte)'6'];
        var packets = new List<EnginePacket>();

        Assert.Equal(DecodeError.None, PollingPayloadV3.Decode(body, isBinaryPayload: true, packets));

        Assert.Collection(
            packets,
            p => AssertText(p, EnginePacketType.Message, "€€€€€€€€€"),
            p => AssertText(p, EnginePacketType.Noop, string.Empty));
    }

    public static TheoryData<byte[], DecodeError> MalformedBinaryBodies => new()
    {
        { [0x02, 0x01, 0xff, (byte)'2'], DecodeError.InvalidLength },
        { [0x00, 0x01, (byte)'2'], DecodeError.InvalidLength },
        { [0x00, 0xff, (byte)'2'], DecodeError.InvalidLength },
        { [0x00, 0x0a, 0xff, (byte)'2'], DecodeError.InvalidLength },
        { [0x00, 0x02, 0xff, (byte)'2'], DecodeError.InvalidLength },
        { [0x00, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0xff, (byte)'2'], DecodeError.InvalidLength },
        { [0x00, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0xff, (byte)'2'], DecodeError.InvalidLength },
        { [0x00, 0x00, 0xff], DecodeError.Empty },
        { [0x01, 0x00, 0xff], DecodeError.Empty },
        { [0x01, 0x02, 0xff, 0x07, 0x01], DecodeError.UnknownPacketType },
        { [0x00, 0x02, 0xff, (byte)'4', 0xff], DecodeError.InvalidUtf8 },
        { [0x00, 0x01, 0xff, (byte)'9'], DecodeError.UnknownPacketType },
    };

    [Theory]
    [MemberData(nameof(MalformedBinaryBodies))]
    public void Decode_binary_rejects_malformed_bodies(byte[] body, DecodeError expected)
    {
        Assert.Equal(expected, PollingPayloadV3.Decode(body, isBinaryPayload: true, []));
    }

    [Fact]
    public void Encode_uses_the_binary_form_when_the_client_supports_it()
    {
        var body = new ArrayBufferWriter<byte>();

        var wroteBinary = PollingPayloadV3.Encode(body, HelloAndBytes(), supportsBinary: true);

        Assert.True(wroteBinary);
        Assert.Equal(ChangelogBinaryPayload, body.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encode_uses_base64_when_the_client_asked_for_b64()
    {
        var body = new ArrayBufferWriter<byte>();

        var wroteBinary = PollingPayloadV3.Encode(body, HelloAndBytes(), supportsBinary: false);

        Assert.False(wroteBinary);
        Assert.Equal("6:4hello6:b4AQID", Encoding.UTF8.GetString(body.WrittenSpan));
    }

    [Theory]
    [InlineData("4€€€", "4:4€€€")]
    [InlineData("4😀", "3:4😀")]
    [InlineData("2", "1:2")]
    public void Encode_text_prefixes_the_utf16_length(string frame, string expected)
    {
        var body = new ArrayBufferWriter<byte>();

        var wroteBinary = PollingPayloadV3.Encode(body, [new EngineFrame(Encoding.UTF8.GetBytes(frame), false)], supportsBinary: true);

        Assert.False(wroteBinary);
        Assert.Equal(expected, Encoding.UTF8.GetString(body.WrittenSpan));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Encode_then_Decode_returns_the_same_packets(bool supportsBinary)
    {
        List<EngineFrame> frames =
        [
            EngineFrame.Text(EnginePacketType.Message, "2[\"a\",\"é€😀\"]"u8),
            EngineFrame.Binary(Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()),
            EngineFrame.Bare(EnginePacketType.Pong),
            EngineFrame.Binary(Array.Empty<byte>()),
        ];
        var body = new ArrayBufferWriter<byte>();
        var wroteBinary = PollingPayloadV3.Encode(body, frames, supportsBinary);
        var packets = new List<EnginePacket>();

        Assert.Equal(DecodeError.None, PollingPayloadV3.Decode(body.WrittenMemory, wroteBinary, packets));

        Assert.Equal(supportsBinary, wroteBinary);
        EngineFrames.AssertSame(
            [
                new EnginePacket(EnginePacketType.Message, "2[\"a\",\"é€😀\"]"u8.ToArray(), false),
                new EnginePacket(EnginePacketType.Message, frames[1].Bytes, true),
                new EnginePacket(EnginePacketType.Pong, Array.Empty<byte>(), false),
                new EnginePacket(EnginePacketType.Message, Array.Empty<byte>(), true),
            ],
            packets);
    }

    private static List<EngineFrame> HelloAndBytes() =>
        [EngineFrame.Text(EnginePacketType.Message, "hello"u8), EngineFrame.Binary(new byte[] { 1, 2, 3 })];

    private static List<EnginePacket> Decode(string body, bool isBinaryPayload)
    {
        var packets = new List<EnginePacket>();
        Assert.Equal(DecodeError.None, PollingPayloadV3.Decode(Encoding.UTF8.GetBytes(body), isBinaryPayload, packets));
        return packets;
    }

    private static void AssertText(EnginePacket packet, EnginePacketType type, string data)
    {
        Assert.Equal(type, packet.Type);
        Assert.False(packet.IsBinary);
        Assert.Equal(data, Encoding.UTF8.GetString(packet.Data.Span));
    }

    private static void AssertBinary(EnginePacket packet, byte[] data)
    {
        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.True(packet.IsBinary);
        Assert.Equal(data, packet.Data.ToArray());
    }
}
