using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Backend;

/// <summary>A payload encoded once: its JSON (placeholders included) and its binary attachments.</summary>
/// <param name="Json">The JSON data of the packet.</param>
/// <param name="Attachments">The attachments, in placeholder order.</param>
internal readonly record struct EncodedPayload(ReadOnlyMemory<byte> Json, IReadOnlyList<ReadOnlyMemory<byte>> Attachments)
{
    /// <summary>The frames of an EVENT (or BINARY_EVENT) packet carrying this payload.</summary>
    public EngineFrame[] EventFrames(string nsp, long ackId) =>
        Frames(Attachments.Count == 0 ? SocketPacketType.Event : SocketPacketType.BinaryEvent, nsp, ackId);

    /// <summary>The frames of an ACK (or BINARY_ACK) packet carrying this payload.</summary>
    public EngineFrame[] AckFrames(string nsp, long ackId) =>
        Frames(Attachments.Count == 0 ? SocketPacketType.Ack : SocketPacketType.BinaryAck, nsp, ackId);

    private EngineFrame[] Frames(SocketPacketType type, string nsp, long ackId)
    {
        var frames = new EngineFrame[1 + Attachments.Count];
        frames[0] = SocketPacketWriter.EncodeFrame(type, nsp, ackId, Attachments.Count, Json.Span);
        for (var i = 0; i < Attachments.Count; i++)
        {
            frames[i + 1] = EngineFrame.Binary(Attachments[i]);
        }

        return frames;
    }
}
