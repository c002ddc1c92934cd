using System.Buffers;
using System.Buffers.Text;

namespace SocketIO.Distributor.Protocol.EngineIO;

/// <summary>
/// Engine.IO 4 long-polling payloads: packets separated by the record separator <c>\x1e</c>;
/// a binary message is written as <c>b</c> followed by its base64.
/// </summary>
public static class PollingPayload
{
    /// <summary>The separator between packets of a payload.</summary>
    public const byte RecordSeparator = 0x1e;

    /// <summary>Decodes a POST body into packets.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="packets">Receives the packets; text packets slice <paramref name="body"/>.</param>
    /// <returns><see cref="DecodeError.None"/> on success; on error <paramref name="packets"/> may hold some packets.</returns>
    public static DecodeError Decode(ReadOnlyMemory<byte> body, List<EnginePacket> packets)
    {
        ArgumentNullException.ThrowIfNull(packets);
        if (body.IsEmpty)
        {
            return DecodeError.Empty;
        }

        var rest = body;
        while (true)
        {
            var end = rest.Span.IndexOf(RecordSeparator);
            var part = end < 0 ? rest : rest[..end];
            var error = DecodeOne(part, out var packet);
            if (error != DecodeError.None)
            {
                return error;
            }

            packets.Add(packet);
            if (end < 0)
            {
                return DecodeError.None;
            }

            rest = rest[(end + 1)..];
        }
    }

    private static DecodeError DecodeOne(ReadOnlyMemory<byte> part, out EnginePacket packet)
    {
        if (!part.IsEmpty && part.Span[0] == (byte)'b')
        {
            packet = default;
            var error = Base64Data.Decode(part.Span[1..], out var bytes);
            if (error != DecodeError.None)
            {
                return error;
            }

            packet = new EnginePacket(EnginePacketType.Message, bytes, IsBinary: true);
            return DecodeError.None;
        }

        return EnginePacketCodec.DecodeText(part, out packet);
    }

    /// <summary>Writes frames as one payload.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="frames">The frames, in order.</param>
    public static void Encode(IBufferWriter<byte> writer, IReadOnlyList<EngineFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(frames);
        for (var i = 0; i < frames.Count; i++)
        {
            if (i > 0)
            {
                writer.GetSpan(1)[0] = RecordSeparator;
                writer.Advance(1);
            }

            var frame = frames[i];
            if (frame.IsBinary)
            {
                writer.GetSpan(1)[0] = (byte)'b';
                writer.Advance(1);
                Base64Data.Encode(writer, frame.Bytes.Span);
            }
            else
            {
                writer.Write(frame.Bytes.Span);
            }
        }
    }
}

/// <summary>Base64 in payloads, without exceptions.</summary>
internal static class Base64Data
{
    public static DecodeError Decode(ReadOnlySpan<byte> base64, out byte[] bytes)
    {
        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        var status = Base64.DecodeFromUtf8(base64, buffer, out var consumed, out var written);
        if (status != OperationStatus.Done || consumed != base64.Length)
        {
            bytes = [];
            return DecodeError.InvalidBase64;
        }

        bytes = written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
        return DecodeError.None;
    }

    public static void Encode(IBufferWriter<byte> writer, ReadOnlySpan<byte> data)
    {
        var length = Base64.GetMaxEncodedToUtf8Length(data.Length);
        var span = writer.GetSpan(length);
        Base64.EncodeToUtf8(data, span, out _, out var written);
        writer.Advance(written);
    }
}
