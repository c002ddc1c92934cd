namespace SocketIO.Distributor.Protocol.EngineIO;

/// <summary>
/// Encodes and decodes single Engine.IO packets as they travel in one WebSocket frame.
/// </summary>
public static class EnginePacketCodec
{
    /// <summary>Decodes a text frame: a type digit followed by the data.</summary>
    /// <param name="frame">The frame's bytes (UTF-8).</param>
    /// <param name="packet">The decoded packet, slicing <paramref name="frame"/>.</param>
    /// <returns><see cref="DecodeError.None"/> on success.</returns>
    public static DecodeError DecodeText(ReadOnlyMemory<byte> frame, out EnginePacket packet)
    {
        packet = default;
        if (frame.IsEmpty)
        {
            return DecodeError.Empty;
        }

        var type = frame.Span[0] - (byte)'0';
        if (type is < 0 or > (int)EnginePacketType.Noop)
        {
            return DecodeError.UnknownPacketType;
        }

        packet = new EnginePacket((EnginePacketType)type, frame[1..], IsBinary: false);
        return DecodeError.None;
    }

    /// <summary>
    /// Decodes a binary frame. In EIO4 the whole frame is a message; in EIO3 its first byte is the
    /// packet type (always 4 for messages) followed by the data.
    /// </summary>
    /// <param name="frame">The frame's bytes.</param>
    /// <param name="version">The client's protocol version.</param>
    /// <param name="packet">The decoded packet, slicing <paramref name="frame"/>.</param>
    /// <returns><see cref="DecodeError.None"/> on success.</returns>
    public static DecodeError DecodeBinary(ReadOnlyMemory<byte> frame, EngineProtocolVersion version, out EnginePacket packet)
    {
        packet = default;
        if (version == EngineProtocolVersion.V4)
        {
            packet = new EnginePacket(EnginePacketType.Message, frame, IsBinary: true);
            return DecodeError.None;
        }

        if (frame.IsEmpty)
        {
            return DecodeError.Empty;
        }

        var type = frame.Span[0];
        if (type > (byte)EnginePacketType.Noop)
        {
            return DecodeError.UnknownPacketType;
        }

        packet = new EnginePacket((EnginePacketType)type, frame[1..], IsBinary: true);
        return DecodeError.None;
    }

    /// <summary>Encodes a text packet: its type digit followed by <paramref name="data"/>.</summary>
    /// <param name="type">The packet type.</param>
    /// <param name="data">UTF-8 data; may be empty.</param>
    /// <returns>A new array holding the frame.</returns>
    public static byte[] EncodeText(EnginePacketType type, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[data.Length + 1];
        bytes[0] = (byte)('0' + (int)type);
        data.CopyTo(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>The single-byte text frame of a packet with no data (ping, pong, close, noop, upgrade).</summary>
    /// <param name="type">The packet type.</param>
    /// <returns>The one-byte frame.</returns>
    public static ReadOnlyMemory<byte> Bare(EnginePacketType type) => BareFrames[(int)type];

    private static readonly ReadOnlyMemory<byte>[] BareFrames =
        Enumerable.Range(0, 7).Select(i => (ReadOnlyMemory<byte>)new[] { (byte)('0' + i) }).ToArray();
}
