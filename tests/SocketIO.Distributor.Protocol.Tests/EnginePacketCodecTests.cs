using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>Single Engine.IO packets, as in the "Packet encoding" section of the engine.io-protocol document.</summary>
public sealed class EnginePacketCodecTests
{
    [Theory]
    [InlineData("0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":5000,\"maxPayload\":1000000}", EnginePacketType.Open)]
    [InlineData("1", EnginePacketType.Close)]
    [InlineData("2", EnginePacketType.Ping)]
    [InlineData("2probe", EnginePacketType.Ping)]
    [InlineData("3probe", EnginePacketType.Pong)]
    [InlineData("4hello", EnginePacketType.Message)]
    [InlineData("4€😀", EnginePacketType.Message)]
    [InlineData("5", EnginePacketType.Upgrade)]
    [InlineData("6", EnginePacketType.Noop)]
    public void DecodeText_reads_the_type_digit_and_keeps_the_rest_as_data(string frame, EnginePacketType type)
    {
        var bytes = Encoding.UTF8.GetBytes(frame);

        Assert.Equal(DecodeError.None, EnginePacketCodec.DecodeText(bytes, out var packet));

        Assert.Equal(type, packet.Type);
        Assert.False(packet.IsBinary);
        Assert.Equal(frame[1..], Encoding.UTF8.GetString(packet.Data.Span));
        Assert.True(InputSlice.IsWithin(packet.Data, bytes));
    }

    [Theory]
    [InlineData("", DecodeError.Empty)]
    [InlineData("7", DecodeError.UnknownPacketType)]
    [InlineData("/", DecodeError.UnknownPacketType)]
    [InlineData("b", DecodeError.UnknownPacketType)]
    [InlineData("hello", DecodeError.UnknownPacketType)]
    public void DecodeText_rejects_a_missing_or_unknown_type(string frame, DecodeError expected)
    {
        Assert.Equal(expected, EnginePacketCodec.DecodeText(Encoding.UTF8.GetBytes(frame), out _));
    }

    [Fact]
    public void DecodeBinary_v4_takes_the_whole_frame_as_a_message()
    {
        byte[] frame = [1, 2, 3, 4];

        Assert.Equal(DecodeError.None, EnginePacketCodec.DecodeBinary(frame, EngineProtocolVersion.V4, out var packet));

        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.True(packet.IsBinary);
        Assert.Equal(frame, packet.Data.ToArray());
    }

    [Fact]
    public void DecodeBinary_v3_reads_the_leading_type_byte()
    {
        // engine.io-parser 4.0.0 changelog: protocol v3 sends <Buffer 04 01 02 03> for a message of 01 02 03.
        byte[] frame = [4, 1, 2, 3];

        Assert.Equal(DecodeError.None, EnginePacketCodec.DecodeBinary(frame, EngineProtocolVersion.V3, out var packet));

        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.True(packet.IsBinary);
        Assert.Equal([1, 2, 3], packet.Data.ToArray());
    }

    [Theory]
    [InlineData(new byte[0], DecodeError.Empty)]
    [InlineData(new byte[] { 7, 1 }, DecodeError.UnknownPacketType)]
    [InlineData(new byte[] { (byte)'4', 1 }, DecodeError.UnknownPacketType)]
    public void DecodeBinary_v3_rejects_a_missing_or_unknown_type(byte[] frame, DecodeError expected)
    {
        Assert.Equal(expected, EnginePacketCodec.DecodeBinary(frame, EngineProtocolVersion.V3, out _));
    }

    [Fact]
    public void EncodeText_writes_the_type_digit_then_the_data()
    {
        Assert.Equal("4hello"u8.ToArray(), EnginePacketCodec.EncodeText(EnginePacketType.Message, "hello"u8));
        Assert.Equal("3probe"u8.ToArray(), EngineFrame.Text(EnginePacketType.Pong, "probe"u8).Bytes.ToArray());
    }

    [Theory]
    [InlineData(EnginePacketType.Close, "1")]
    [InlineData(EnginePacketType.Ping, "2")]
    [InlineData(EnginePacketType.Pong, "3")]
    [InlineData(EnginePacketType.Noop, "6")]
    public void Bare_frames_are_the_type_digit_alone(EnginePacketType type, string expected)
    {
        var frame = EngineFrame.Bare(type);

        Assert.False(frame.IsBinary);
        Assert.Equal(expected, Encoding.ASCII.GetString(frame.Bytes.Span));
    }

    [Fact]
    public void DataEquals_matches_the_probe_of_an_upgrade()
    {
        EnginePacketCodec.DecodeText("2probe"u8.ToArray(), out var probe);
        EnginePacketCodec.DecodeBinary("probe"u8.ToArray(), EngineProtocolVersion.V4, out var binary);

        Assert.True(probe.DataEquals("probe"u8));
        Assert.False(probe.DataEquals("prob"u8));
        Assert.False(binary.DataEquals("probe"u8));
    }
}
