using System.Buffers;
using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>EIO4 polling payloads: packets joined by <c>\x1e</c>, binary as <c>b</c> + base64.</summary>
public sealed class PollingPayloadTests
{
    [Fact]
    public void Decode_reads_the_protocol_document_example()
    {
        // engine.io-protocol v4, "HTTP long-polling": 4hello\x1ebAQIDBA==\x1e4world
        var body = "4hello\u001ebAQIDBA==\u001e4world"u8.ToArray();
        var packets = new List<EnginePacket>();

        Assert.Equal(DecodeError.None, PollingPayload.Decode(body, packets));

        Assert.Collection(
            packets,
            p => AssertText(p, EnginePacketType.Message, "hello"),
            p => AssertBinary(p, [1, 2, 3, 4]),
            p => AssertText(p, EnginePacketType.Message, "world"));
        Assert.True(InputSlice.IsWithin(packets[2].Data, body));
    }

    [Fact]
    public void Decode_reads_control_packets_and_multi_byte_text()
    {
        var packets = new List<EnginePacket>();

        Assert.Equal(DecodeError.None, PollingPayload.Decode("2probe\u001e4€€€\u001e1\u001e6"u8.ToArray(), packets));

        Assert.Collection(
            packets,
            p => AssertText(p, EnginePacketType.Ping, "probe"),
            p => AssertText(p, EnginePacketType.Message, "€€€"),
            p => AssertText(p, EnginePacketType.Close, string.Empty),
            p => AssertText(p, EnginePacketType.Noop, string.Empty));
    }

    [Fact]
    public void Decode_reads_an_empty_binary_message()
    {
        var packets = new List<EnginePacket>();

        Assert.Equal(DecodeError.None, PollingPayload.Decode("b"u8.ToArray(), packets));

        AssertBinary(Assert.Single(packets), []);
    }

    [Theory]
    [InlineData("", DecodeError.Empty)]
    [InlineData("\u001e", DecodeError.Empty)]
    [InlineData("4hello\u001e", DecodeError.Empty)]
    [InlineData("\u001e4hello", DecodeError.Empty)]
    [InlineData("4hello\u001e\u001e4world", DecodeError.Empty)]
    [InlineData("4hello\u001e9", DecodeError.UnknownPacketType)]
    [InlineData("bAQI", DecodeError.InvalidBase64)]
    [InlineData("bAQIDBA=", DecodeError.InvalidBase64)]
    [InlineData("bAQ!DBA==", DecodeError.InvalidBase64)]
    [InlineData("4hello\u001ebA===", DecodeError.InvalidBase64)]
    public void Decode_rejects_malformed_bodies(string body, DecodeError expected)
    {
        Assert.Equal(expected, PollingPayload.Decode(Encoding.UTF8.GetBytes(body), []));
    }

    [Fact]
    public void Encode_writes_the_protocol_document_example()
    {
        var body = new ArrayBufferWriter<byte>();

        PollingPayload.Encode(body, [
            EngineFrame.Text(EnginePacketType.Message, "hello"u8),
            EngineFrame.Binary(new byte[] { 1, 2, 3, 4 }),
            EngineFrame.Text(EnginePacketType.Message, "world"u8),
        ]);

        Assert.Equal("4hello\u001ebAQIDBA==\u001e4world", Encoding.UTF8.GetString(body.WrittenSpan));
    }

    [Fact]
    public void Encode_writes_a_single_frame_without_separator()
    {
        var body = new ArrayBufferWriter<byte>();

        PollingPayload.Encode(body, [EngineFrame.Bare(EnginePacketType.Ping)]);

        Assert.Equal("2", Encoding.UTF8.GetString(body.WrittenSpan));
    }

    public static TheoryData<byte[][], bool[]> RoundTripCases => new()
    {
        { ["4hello"u8.ToArray()], [false] },
        { [[1, 2, 3], "4€😀"u8.ToArray(), []], [true, false, true] },
        { ["2"u8.ToArray(), "3probe"u8.ToArray(), "6"u8.ToArray()], [false, false, false] },
        { [new byte[300], "42[\"hello\",1]"u8.ToArray()], [true, false] },
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Encode_then_Decode_returns_the_same_packets(byte[][] contents, bool[] binary)
    {
        var frames = contents.Select((c, i) => binary[i] ? EngineFrame.Binary(c) : new EngineFrame(c, IsBinary: false)).ToList();
        var body = new ArrayBufferWriter<byte>();
        PollingPayload.Encode(body, frames);
        var packets = new List<EnginePacket>();

        Assert.Equal(DecodeError.None, PollingPayload.Decode(body.WrittenMemory, packets));

        Assert.Equal(frames.Count, packets.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i].IsBinary, packets[i].IsBinary);
            var expected = frames[i].IsBinary ? frames[i].Bytes.ToArray() : frames[i].Bytes[1..].ToArray();
            Assert.Equal(expected, packets[i].Data.ToArray());
        }
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
