using System.Text.Json;

namespace SocketIO.Distributor.Protocol.SocketIO;

/// <summary>
/// Decodes the text of a Socket.IO packet:
/// <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ack id&gt;][&lt;JSON data&gt;]</c>.
/// The data is validated as JSON of the shape the type requires (as socket.io-parser does), so
/// malformed input never travels further than the decoder.
/// </summary>
public static class SocketPacketParser
{
    private const int MaxAckIdDigits = 15;
    private const int MaxAttachmentDigits = 6;

    private static readonly string[] ReservedEvents =
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

    /// <summary>Decodes one packet.</summary>
    /// <param name="text">The packet's UTF-8 text (an Engine.IO message's data).</param>
    /// <param name="packet">The decoded packet, slicing <paramref name="text"/>.</param>
    /// <returns><see cref="DecodeError.None"/> on success.</returns>
    public static DecodeError Parse(ReadOnlyMemory<byte> text, out SocketPacket packet)
    {
        packet = default;
        var span = text.Span;
        if (span.IsEmpty)
        {
            return DecodeError.Empty;
        }

        // JSON strings and the namespace are not otherwise checked for valid UTF-8, and a client
        // must not be able to push bytes that later fail to become a .NET string.
        var utf8 = Utf8Check.Validate(span);
        if (utf8 != DecodeError.None)
        {
            return utf8;
        }

        var typeValue = span[0] - (byte)'0';
        if (typeValue is < 0 or > (int)SocketPacketType.BinaryAck)
        {
            return DecodeError.UnknownPacketType;
        }

        var type = (SocketPacketType)typeValue;
        var i = 1;
        var attachments = 0;
        if (type is SocketPacketType.BinaryEvent or SocketPacketType.BinaryAck)
        {
            var start = i;
            while (i < span.Length && span[i] is >= (byte)'0' and <= (byte)'9')
            {
                i++;
            }

            if (i == start || i - start > MaxAttachmentDigits || i >= span.Length || span[i] != (byte)'-')
            {
                return DecodeError.InvalidAttachments;
            }

            attachments = ParseDigits(span[start..i]);
            i++;
        }

        var nsp = SocketPacket.RootNamespace;
        if (i < span.Length && span[i] == (byte)'/')
        {
            var start = i;
            var comma = span[i..].IndexOf((byte)',');
            i = comma < 0 ? span.Length : i + comma;
            nsp = text[start..i];
            if (i < span.Length)
            {
                i++;
            }
        }

        long ackId = -1;
        if (i < span.Length && span[i] is >= (byte)'0' and <= (byte)'9')
        {
            var start = i;
            while (i < span.Length && span[i] is >= (byte)'0' and <= (byte)'9')
            {
                i++;
            }

            if (i - start > MaxAckIdDigits)
            {
                return DecodeError.InvalidAckId;
            }

            ackId = ParseLong(span[start..i]);
        }

        var data = text[i..];
        var error = ValidatePayload(type, data.Span, ackId);
        if (error != DecodeError.None)
        {
            return error;
        }

        packet = new SocketPacket(type, nsp, ackId, attachments, data);
        return DecodeError.None;
    }

    private static DecodeError ValidatePayload(SocketPacketType type, ReadOnlySpan<byte> data, long ackId)
    {
        if (data.IsEmpty)
        {
            return type is SocketPacketType.Connect or SocketPacketType.Disconnect
                ? DecodeError.None
                : DecodeError.InvalidPayload;
        }

        if (type == SocketPacketType.Disconnect)
        {
            return DecodeError.InvalidPayload;
        }

        if (type is SocketPacketType.Ack or SocketPacketType.BinaryAck && ackId < 0)
        {
            return DecodeError.InvalidAckId;
        }

        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read())
            {
                return DecodeError.InvalidJson;
            }

            var root = reader.TokenType;
            var shapeOk = type switch
            {
                SocketPacketType.Connect => root == JsonTokenType.StartObject,
                SocketPacketType.ConnectError => root is JsonTokenType.StartObject or JsonTokenType.String,
                SocketPacketType.Ack or SocketPacketType.BinaryAck => root == JsonTokenType.StartArray,
                _ => root == JsonTokenType.StartArray && IsValidEventName(ref reader),
            };

            while (reader.Read())
            {
                // Reading to the end validates the whole document, including trailing bytes.
            }

            return shapeOk ? DecodeError.None : DecodeError.InvalidPayload;
        }
        catch (JsonException)
        {
            return DecodeError.InvalidJson;
        }
    }

    private static bool IsValidEventName(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Number)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String || (reader.ValueIsEscaped && !HasValidEscapes(ref reader)))
        {
            return false;
        }

        foreach (var reserved in ReservedEvents)
        {
            if (reader.ValueTextEquals(reserved))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// False if an escaped name does not unescape to valid UTF-16 (for example <c>"\ud800"</c>, an
    /// unpaired surrogate): such a name could not be read as a string by <see cref="EventPayload"/>.
    /// </summary>
    private static bool HasValidEscapes(ref Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static int ParseDigits(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (var d in digits)
        {
            value = (value * 10) + (d - '0');
        }

        return (int)Math.Min(value, int.MaxValue);
    }

    private static long ParseLong(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (var d in digits)
        {
            value = (value * 10) + (d - '0');
        }

        return value;
    }
}
