using System.Buffers;
using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>Encoding Socket.IO packets exactly as socket.io-parser's Encoder does.</summary>
public sealed class SocketPacketWriterTests
{
    [Theory]
    [InlineData(SocketPacketType.Connect, "/", -1, 0, "", "0")]
    [InlineData(SocketPacketType.Connect, "/admin", -1, 0, "{\"token\":\"123\"}", "0/admin,{\"token\":\"123\"}")]
    [InlineData(SocketPacketType.Connect, "/", -1, 0, "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", "0{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}")]
    [InlineData(SocketPacketType.Disconnect, "/admin", -1, 0, "", "1/admin,")]
    [InlineData(SocketPacketType.Event, "/", -1, 0, "[\"hello\",1]", "2[\"hello\",1]")]
    [InlineData(SocketPacketType.Event, "/admin", 456, 0, "[\"project:delete\",123]", "2/admin,456[\"project:delete\",123]")]
    [InlineData(SocketPacketType.Ack, "/admin", 456, 0, "[]", "3/admin,456[]")]
    [InlineData(SocketPacketType.ConnectError, "/", -1, 0, "{\"message\":\"Not authorized\"}", "4{\"message\":\"Not authorized\"}")]
    [InlineData(SocketPacketType.BinaryEvent, "/", -1, 1, "[\"hello\",{\"_placeholder\":true,\"num\":0}]", "51-[\"hello\",{\"_placeholder\":true,\"num\":0}]")]
    [InlineData(SocketPacketType.BinaryAck, "/admin", 456, 1, "[{\"_placeholder\":true,\"num\":0}]", "61-/admin,456[{\"_placeholder\":true,\"num\":0}]")]
    [InlineData(SocketPacketType.BinaryEvent, "/", 0, 12, "[\"a\"]", "512-0[\"a\"]")]
    [InlineData(SocketPacketType.Event, "/ünï", long.MaxValue, 0, "[\"a\"]", "2/ünï,9223372036854775807[\"a\"]")]
    public void Write_produces_the_protocol_document_examples(
        SocketPacketType type, string nsp, long ackId, int attachments, string json, string expected)
    {
        var text = new ArrayBufferWriter<byte>();

        SocketPacketWriter.Write(text, type, nsp, ackId, attachments, Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, Encoding.UTF8.GetString(text.WrittenSpan));
    }

    [Fact]
    public void EncodeFrame_prefixes_the_engine_message_type()
    {
        var frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/", -1, 0, "[\"hello\",1]"u8);

        Assert.False(frame.IsBinary);
        Assert.Equal("42[\"hello\",1]", Encoding.UTF8.GetString(frame.Bytes.Span));
    }

    [Fact]
    public void EncodeFrame_decodes_back_through_both_layers()
    {
        var frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/admin", 456, 0, "[\"project:delete\",123]"u8);

        Assert.Equal(DecodeError.None, EnginePacketCodec.DecodeText(frame.Bytes, out var engine));
        Assert.Equal(EnginePacketType.Message, engine.Type);
        Assert.Equal(DecodeError.None, SocketPacketParser.Parse(engine.Data, out var packet));
        Assert.Equal(SocketPacketType.Event, packet.Type);
        Assert.Equal("/admin", packet.NamespaceName);
        Assert.Equal(456, packet.AckId);
        Assert.Equal("[\"project:delete\",123]", Encoding.UTF8.GetString(packet.Data.Span));
    }

    [Fact]
    public void EncodeFrame_holds_a_namespace_of_multi_byte_characters()
    {
        var nsp = "/" + new string('€', 40);

        var frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Connect, nsp, -1, 0, default);

        Assert.Equal("40" + nsp + ",", Encoding.UTF8.GetString(frame.Bytes.Span));
    }
}
