using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace SocketIO.Distributor.Protocol.EngineIO;

/// <summary>
/// Engine.IO 3 long-polling payloads, spoken by socket.io-client v2. Two encodings exist:
/// <list type="bullet">
/// <item><description>text: <c>&lt;length&gt;:&lt;packet&gt;</c> repeated, where length counts UTF-16
/// code units and binary messages appear as <c>b4&lt;base64&gt;</c>;</description></item>
/// <item><description>binary (XHR2): per packet a byte 0 (text) or 1 (binary), the decimal digits of
/// the length as byte values 0-9, the byte 255, then the packet; lengths count bytes, and a binary
/// packet starts with its type byte.</description></item>
/// </list>
/// </summary>
public static class PollingPayloadV3
{
    private const int MaxLengthDigits = 10;

    /// <summary>Decodes a POST body into packets.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="isBinaryPayload">True when the body is the binary (octet-stream) encoding.</param>
    /// <param name="packets">Receives the packets.</param>
    /// <returns><see cref="DecodeError.None"/> on success.</returns>
    public static DecodeError Decode(ReadOnlyMemory<byte> body, bool isBinaryPayload, List<EnginePacket> packets)
    {
        ArgumentNullException.ThrowIfNull(packets);
        if (body.IsEmpty)
        {
            return DecodeError.Empty;
        }

        return isBinaryPayload ? DecodeBinary(body, packets) : DecodeText(body, packets);
    }

    private static DecodeError DecodeText(ReadOnlyMemory<byte> body, List<EnginePacket> packets)
    {
        var rest = body;
        while (!rest.IsEmpty)
        {
            var colon = rest.Span.IndexOf((byte)':');
            if (colon <= 0 || colon > MaxLengthDigits || !TryParseDigits(rest.Span[..colon], out var chars))
            {
                return DecodeError.InvalidLength;
            }

            rest = rest[(colon + 1)..];
            var error = Utf16Units.ByteCount(rest.Span, chars, out var byteCount);
            if (error != DecodeError.None)
            {
                return error;
            }

            error = DecodeTextPacket(rest[..byteCount], out var packet);
            if (error != DecodeError.None)
            {
                return error;
            }

            packets.Add(packet);
            rest = rest[byteCount..];
        }

        return DecodeError.None;
    }

    /// <summary>Decodes one EIO3 text packet, including the <c>b4&lt;base64&gt;</c> form.</summary>
    private static DecodeError DecodeTextPacket(ReadOnlyMemory<byte> text, out EnginePacket packet)
    {
        packet = default;
        if (text.IsEmpty)
        {
            return DecodeError.Empty;
        }

        if (text.Span[0] != (byte)'b')
        {
            return EnginePacketCodec.DecodeText(text, out packet);
        }

        if (text.Length < 2)
        {
            return DecodeError.UnknownPacketType;
        }

        var type = text.Span[1] - (byte)'0';
        if (type is < 0 or > (int)EnginePacketType.Noop)
        {
            return DecodeError.UnknownPacketType;
        }

        var error = Base64Data.Decode(text.Span[2..], out var bytes);
        if (error != DecodeError.None)
        {
            return error;
        }

        packet = new EnginePacket((EnginePacketType)type, bytes, IsBinary: true);
        return DecodeError.None;
    }

    private static DecodeError DecodeBinary(ReadOnlyMemory<byte> body, List<EnginePacket> packets)
    {
        var rest = body;
        while (!rest.IsEmpty)
        {
            var span = rest.Span;
            var kind = span[0];
            if (kind > 1)
            {
                return DecodeError.InvalidLength;
            }

            var length = 0L;
            var i = 1;
            for (; i < span.Length && span[i] != 255; i++)
            {
                if (span[i] > 9 || i > MaxLengthDigits)
                {
                    return DecodeError.InvalidLength;
                }

                length = (length * 10) + span[i];
            }

            if (i == 1 || i >= span.Length || length > span.Length - i - 1)
            {
                return DecodeError.InvalidLength;
            }

            var data = rest.Slice(i + 1, (int)length);
            rest = rest[(i + 1 + (int)length)..];
            EnginePacket packet;
            DecodeError error;
            if (kind == 0)
            {
                error = Utf8Check.Validate(data.Span);
                if (error == DecodeError.None)
                {
                    error = DecodeTextPacket(data, out packet);
                }
                else
                {
                    packet = default;
                }
            }
            else
            {
                error = EnginePacketCodec.DecodeBinary(data, EngineProtocolVersion.V3, out packet);
            }

            if (error != DecodeError.None)
            {
                return error;
            }

            packets.Add(packet);
        }

        return DecodeError.None;
    }

    /// <summary>Writes frames as one EIO3 payload.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="frames">The frames, in order.</param>
    /// <param name="supportsBinary">
    /// False when the client asked for base64 (<c>b64=1</c>). When true and any frame is binary, the
    /// binary encoding is used.
    /// </param>
    /// <returns>True if the binary encoding was written (the response is <c>application/octet-stream</c>).</returns>
    public static bool Encode(IBufferWriter<byte> writer, IReadOnlyList<EngineFrame> frames, bool supportsBinary)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(frames);
        var anyBinary = false;
        foreach (var frame in frames)
        {
            anyBinary |= frame.IsBinary;
        }

        if (supportsBinary && anyBinary)
        {
            foreach (var frame in frames)
            {
                WriteBinaryRecord(writer, frame);
            }

            return true;
        }

        foreach (var frame in frames)
        {
            WriteTextRecord(writer, frame);
        }

        return false;
    }

    private static void WriteBinaryRecord(IBufferWriter<byte> writer, EngineFrame frame)
    {
        var length = frame.IsBinary ? frame.Length + 1 : frame.Length;
        Span<byte> digits = stackalloc byte[12];
        var count = 0;
        foreach (var c in length.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            digits[count++] = (byte)(c - '0');
        }

        var header = writer.GetSpan(count + 3);
        header[0] = frame.IsBinary ? (byte)1 : (byte)0;
        digits[..count].CopyTo(header[1..]);
        header[count + 1] = 255;
        var headerLength = count + 2;
        if (frame.IsBinary)
        {
            header[headerLength++] = (byte)EnginePacketType.Message;
        }

        writer.Advance(headerLength);
        writer.Write(frame.Bytes.Span);
    }

    private static void WriteTextRecord(IBufferWriter<byte> writer, EngineFrame frame)
    {
        if (frame.IsBinary)
        {
            var base64Length = Base64.GetMaxEncodedToUtf8Length(frame.Length);
            WriteAscii(writer, (base64Length + 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteAscii(writer, ":b4");
            Base64Data.Encode(writer, frame.Bytes.Span);
            return;
        }

        var units = Encoding.UTF8.GetCharCount(frame.Bytes.Span);
        WriteAscii(writer, units.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteAscii(writer, ":");
        writer.Write(frame.Bytes.Span);
    }

    private static void WriteAscii(IBufferWriter<byte> writer, string ascii)
    {
        var span = writer.GetSpan(ascii.Length);
        for (var i = 0; i < ascii.Length; i++)
        {
            span[i] = (byte)ascii[i];
        }

        writer.Advance(ascii.Length);
    }

    private static bool TryParseDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        long result = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            result = (result * 10) + (d - '0');
        }

        if (result > int.MaxValue)
        {
            return false;
        }

        value = (int)result;
        return true;
    }
}
