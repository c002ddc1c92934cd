using System.Text;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>
/// Socket.IO packets <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;nsp&gt;,][&lt;ack id&gt;][&lt;json&gt;]</c>: the examples
/// of the socket.io-protocol v5 document, and socket.io-parser v4's payload validation.
/// </summary>
public sealed class SocketPacketParserTests
{
    [Theory]
    [InlineData("0", SocketPacketType.Connect, "/", -1, 0, "")]
    [InlineData("0/admin,{\"token\":\"123\"}", SocketPacketType.Connect, "/admin", -1, 0, "{\"token\":\"123\"}")]
    [InlineData("0{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", SocketPacketType.Connect, "/", -1, 0, "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}")]
    [InlineData("0/chat?token=1,", SocketPacketType.Connect, "/chat?token=1", -1, 0, "")]
    [InlineData("0/admin", SocketPacketType.Connect, "/admin", -1, 0, "")]
    [InlineData("1/admin,", SocketPacketType.Disconnect, "/admin", -1, 0, "")]
    [InlineData("1", SocketPacketType.Disconnect, "/", -1, 0, "")]
    [InlineData("2[\"hello\",1]", SocketPacketType.Event, "/", -1, 0, "[\"hello\",1]")]
    [InlineData("2/admin,456[\"project:delete\",123]", SocketPacketType.Event, "/admin", 456, 0, "[\"project:delete\",123]")]
    [InlineData("2[1,\"a\",{}]", SocketPacketType.Event, "/", -1, 0, "[1,\"a\",{}]")]
    [InlineData("21[\"a\",1,{}]", SocketPacketType.Event, "/", 1, 0, "[\"a\",1,{}]")]
    [InlineData("3/admin,456[]", SocketPacketType.Ack, "/admin", 456, 0, "[]")]
    [InlineData("3123[\"a\",1,{}]", SocketPacketType.Ack, "/", 123, 0, "[\"a\",1,{}]")]
    [InlineData("4{\"message\":\"Not authorized\"}", SocketPacketType.ConnectError, "/", -1, 0, "{\"message\":\"Not authorized\"}")]
    [InlineData("4\"Unauthorized\"", SocketPacketType.ConnectError, "/", -1, 0, "\"Unauthorized\"")]
    [InlineData("51-[\"hello\",{\"_placeholder\":true,\"num\":0}]", SocketPacketType.BinaryEvent, "/", -1, 1, "[\"hello\",{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("61-/admin,456[{\"_placeholder\":true,\"num\":0}]", SocketPacketType.BinaryAck, "/admin", 456, 1, "[{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("2[\"😀 é\",\"€\"]", SocketPacketType.Event, "/", -1, 0, "[\"😀 é\",\"€\"]")]
    [InlineData("2999999999999999[\"a\"]", SocketPacketType.Event, "/", 999999999999999, 0, "[\"a\"]")]
    public void Parse_reads_the_protocol_document_examples(
        string text, SocketPacketType type, string nsp, long ackId, int attachments, string data)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        Assert.Equal(DecodeError.None, SocketPacketParser.Parse(bytes, out var packet));

        Assert.Equal(type, packet.Type);
        Assert.Equal(nsp, packet.NamespaceName);
        Assert.Equal(ackId, packet.AckId);
        Assert.Equal(ackId >= 0, packet.HasAckId);
        Assert.Equal(attachments, packet.Attachments);
        Assert.Equal(data, Encoding.UTF8.GetString(packet.Data.Span));
        Assert.True(InputSlice.IsSuffix(packet.Data, bytes));
    }

    [Theory]
    [InlineData("442[\"some\",\"data\"", DecodeError.InvalidJson)]
    [InlineData("0/admin,\"invalid\"", DecodeError.InvalidPayload)]
    [InlineData("0[]", DecodeError.InvalidPayload)]
    [InlineData("1/admin,{}", DecodeError.InvalidPayload)]
    [InlineData("2/admin,\"invalid", DecodeError.InvalidJson)]
    [InlineData("2/admin,{}", DecodeError.InvalidPayload)]
    [InlineData("2[{\"toString\":\"foo\"}]", DecodeError.InvalidPayload)]
    [InlineData("2[true,\"foo\"]", DecodeError.InvalidPayload)]
    [InlineData("2[null,\"bar\"]", DecodeError.InvalidPayload)]
    [InlineData("2[\"connect\"]", DecodeError.InvalidPayload)]
    [InlineData("2[\"disconnect\",\"123\"]", DecodeError.InvalidPayload)]
    [InlineData("999", DecodeError.UnknownPacketType)]
    [InlineData("5", DecodeError.InvalidAttachments)]
    public void Parse_rejects_what_socket_io_parser_rejects(string text, DecodeError expected)
    {
        Assert.Equal(expected, SocketPacketParser.Parse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("connect")]
    [InlineData("connect_error")]
    [InlineData("disconnect")]
    [InlineData("disconnecting")]
    [InlineData("newListener")]
    [InlineData("removeListener")]
    [InlineData("\\u0063onnect")]
    public void Parse_rejects_reserved_event_names(string name)
    {
        Assert.Equal(DecodeError.InvalidPayload, SocketPacketParser.Parse(Encoding.UTF8.GetBytes($"2[\"{name}\",1]"), out _));
        Assert.Equal(DecodeError.InvalidPayload, SocketPacketParser.Parse(Encoding.UTF8.GetBytes($"51-[\"{name}\"]"), out _));
    }

    [Theory]
    [InlineData("", DecodeError.Empty)]
    [InlineData("7", DecodeError.UnknownPacketType)]
    [InlineData("/", DecodeError.UnknownPacketType)]
    [InlineData("2", DecodeError.InvalidPayload)]
    [InlineData("2[]", DecodeError.InvalidPayload)]
    [InlineData("2/admin", DecodeError.InvalidPayload)]
    [InlineData("2[\"a\"]x", DecodeError.InvalidJson)]
    [InlineData("2[\"a\"][1]", DecodeError.InvalidJson)]
    [InlineData("2[\"a\",]", DecodeError.InvalidJson)]
    [InlineData("2 ", DecodeError.InvalidJson)]
    [InlineData("21234567890123456[\"a\"]", DecodeError.InvalidAckId)]
    [InlineData("3[]", DecodeError.InvalidAckId)]
    [InlineData("3", DecodeError.InvalidPayload)]
    [InlineData("3/admin,[\"a\"]", DecodeError.InvalidAckId)]
    [InlineData("3/admin,1{}", DecodeError.InvalidPayload)]
    [InlineData("4", DecodeError.InvalidPayload)]
    [InlineData("4[]", DecodeError.InvalidPayload)]
    [InlineData("41", DecodeError.InvalidPayload)]
    [InlineData("5-[\"a\"]", DecodeError.InvalidAttachments)]
    [InlineData("51[\"a\"]", DecodeError.InvalidAttachments)]
    [InlineData("5a-[\"a\"]", DecodeError.InvalidAttachments)]
    [InlineData("51234567-[\"a\"]", DecodeError.InvalidAttachments)]
    [InlineData("61-[]", DecodeError.InvalidAckId)]
    [InlineData("0{\"a\":1", DecodeError.InvalidJson)]
    [InlineData("0{\"a\":1}}", DecodeError.InvalidJson)]
    public void Parse_rejects_malformed_packets(string text, DecodeError expected)
    {
        Assert.Equal(expected, SocketPacketParser.Parse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Parse_rejects_json_nested_deeper_than_the_limit()
    {
        var deep = "2[\"a\"," + new string('[', 200) + new string(']', 200) + "]";

        Assert.Equal(DecodeError.InvalidJson, SocketPacketParser.Parse(Encoding.UTF8.GetBytes(deep), out _));
    }

    [Fact]
    public void Parse_accepts_json_nested_within_the_limit()
    {
        var nested = "2[\"a\"," + new string('[', 50) + new string(']', 50) + "]";

        Assert.Equal(DecodeError.None, SocketPacketParser.Parse(Encoding.UTF8.GetBytes(nested), out _));
    }

    [Fact]
    public void Parse_returns_the_shared_root_namespace_when_none_is_named()
    {
        Assert.Equal(DecodeError.None, SocketPacketParser.Parse("2[\"a\"]"u8.ToArray(), out var packet));

        Assert.Equal(SocketPacket.RootNamespace, packet.Namespace);
        Assert.False(packet.IsBinaryType);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'2', (byte)'[', (byte)'"', 0xff, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'2', (byte)'[', (byte)'"', (byte)'a', (byte)'"', (byte)',', (byte)'"', 0xc3, 0x28, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'2', (byte)'[', (byte)'"', 0xed, 0xa0, 0x80, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'2', (byte)'/', 0xff, (byte)',', (byte)'[', (byte)'1', (byte)']' })]
    public void Parse_rejects_invalid_utf8_that_later_failed_to_become_a_string(byte[] text)
    {
        Assert.Equal(DecodeError.InvalidUtf8, SocketPacketParser.Parse(text, out _));
    }

    [Theory]
    [InlineData("2[\"\\ud800\"]")]
    [InlineData("2[\"a\\udc00b\",1]")]
    public void Parse_rejects_an_event_name_with_an_unpaired_surrogate_escape_that_TrySplit_threw_on(string text)
    {
        Assert.Equal(DecodeError.InvalidPayload, SocketPacketParser.Parse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Parse_accepts_an_unpaired_surrogate_escape_in_the_arguments()
    {
        Assert.Equal(DecodeError.None, SocketPacketParser.Parse("2[\"a\",\"\\ud800\"]"u8.ToArray(), out _));
    }
}
