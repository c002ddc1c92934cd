using System.Text;

namespace SocketIO.Distributor.Protocol.SocketIO;

/// <summary>
/// The header and data of one decoded Socket.IO packet, slicing the text it was decoded from.
/// Binary attachments, when <see cref="Attachments"/> is above zero, follow as separate binary
/// Engine.IO messages and are not part of this value.
/// </summary>
/// <param name="Type">The packet type.</param>
/// <param name="Namespace">The namespace as UTF-8 (<c>/</c> when the packet names none). For EIO3
/// CONNECT packets it may carry a query string (<c>/chat?token=1</c>).</param>
/// <param name="AckId">The acknowledgement id, or -1 when the packet has none.</param>
/// <param name="Attachments">The number of binary attachments (binary types only).</param>
/// <param name="Data">The JSON data, validated for the packet type; empty when absent.</param>
public readonly record struct SocketPacket(
    SocketPacketType Type,
    ReadOnlyMemory<byte> Namespace,
    long AckId,
    int Attachments,
    ReadOnlyMemory<byte> Data)
{
    /// <summary>The root namespace, as UTF-8.</summary>
    public static ReadOnlyMemory<byte> RootNamespace { get; } = "/"u8.ToArray();

    /// <summary>True if the packet carries an acknowledgement id.</summary>
    public bool HasAckId => AckId >= 0;

    /// <summary>True for <see cref="SocketPacketType.BinaryEvent"/> and <see cref="SocketPacketType.BinaryAck"/>.</summary>
    public bool IsBinaryType => Type is SocketPacketType.BinaryEvent or SocketPacketType.BinaryAck;

    /// <summary>The namespace as a string (allocates).</summary>
    public string NamespaceName => Encoding.UTF8.GetString(Namespace.Span);
}
