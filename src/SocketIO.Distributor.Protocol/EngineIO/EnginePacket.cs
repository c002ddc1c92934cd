namespace SocketIO.Distributor.Protocol.EngineIO;

/// <summary>
/// One decoded Engine.IO packet. <see cref="Data"/> is what follows the type character for a text
/// packet, or the raw bytes of a binary message. It slices the input buffer: copy it if the
/// packet must outlive that buffer.
/// </summary>
/// <param name="Type">The packet type.</param>
/// <param name="Data">The packet's data (without the type character).</param>
/// <param name="IsBinary">True for binary message packets.</param>
public readonly record struct EnginePacket(EnginePacketType Type, ReadOnlyMemory<byte> Data, bool IsBinary)
{
    /// <summary>True if this is a text packet whose data is exactly <paramref name="ascii"/>.</summary>
    /// <param name="ascii">The expected data, as ASCII bytes (for example <c>"probe"u8</c>).</param>
    public bool DataEquals(ReadOnlySpan<byte> ascii) => !IsBinary && Data.Span.SequenceEqual(ascii);
}
