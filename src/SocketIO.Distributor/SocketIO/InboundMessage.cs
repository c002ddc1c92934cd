using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.SocketIO;

/// <summary>
/// An EVENT or ACK from a client, as it sent it: the packet text (<see cref="Raw"/>) and the header
/// decoded from it, plus its binary attachments. All memory belongs to this message.
/// </summary>
/// <param name="Packet">The decoded header; its slices point into <paramref name="Raw"/>.</param>
/// <param name="Raw">The Socket.IO packet text exactly as the client sent it.</param>
/// <param name="Attachments">The binary attachments, in order; empty for non-binary packets.</param>
public sealed record InboundMessage(SocketPacket Packet, ReadOnlyMemory<byte> Raw, IReadOnlyList<ReadOnlyMemory<byte>> Attachments)
{
    /// <summary>True for EVENT and BINARY_EVENT.</summary>
    public bool IsEvent => Packet.Type is SocketPacketType.Event or SocketPacketType.BinaryEvent;

    /// <summary>True for ACK and BINARY_ACK.</summary>
    public bool IsAck => Packet.Type is SocketPacketType.Ack or SocketPacketType.BinaryAck;
}
