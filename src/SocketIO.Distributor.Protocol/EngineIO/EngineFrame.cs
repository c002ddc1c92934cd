namespace SocketIO.Distributor.Protocol.EngineIO;

/// <summary>
/// An Engine.IO packet ready for the wire, shared unchanged by every client it is sent to.
/// For a text packet <see cref="Bytes"/> is the type digit followed by the UTF-8 data (exactly a
/// WebSocket text frame); for a binary message it is the raw data.
/// </summary>
/// <param name="Bytes">The encoded packet.</param>
/// <param name="IsBinary">True for a binary message.</param>
public readonly record struct EngineFrame(ReadOnlyMemory<byte> Bytes, bool IsBinary)
{
    /// <summary>A text frame of a packet with no data, such as a ping.</summary>
    /// <param name="type">The packet type.</param>
    /// <returns>The frame.</returns>
    public static EngineFrame Bare(EnginePacketType type) => new(EnginePacketCodec.Bare(type), IsBinary: false);

    /// <summary>A text frame with data.</summary>
    /// <param name="type">The packet type.</param>
    /// <param name="data">The UTF-8 data.</param>
    /// <returns>The frame.</returns>
    public static EngineFrame Text(EnginePacketType type, ReadOnlySpan<byte> data) => new(EnginePacketCodec.EncodeText(type, data), IsBinary: false);

    /// <summary>A binary message frame.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The frame.</returns>
    public static EngineFrame Binary(ReadOnlyMemory<byte> data) => new(data, IsBinary: true);

    /// <summary>The encoded length of this frame in bytes.</summary>
    public int Length => Bytes.Length;
}
