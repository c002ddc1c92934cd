namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// A distributor tells the backend that broadcast with acknowledgements (a <see cref="Broadcast"/> with
/// a non-zero <see cref="Broadcast.AckRequestId"/>) how many of its sockets it wrote the event to: the
/// backend then waits for that many <see cref="BroadcastAckAnswer"/> from it.
/// Layout: <c>requestId: u64, distributorId: str, count: u64</c>.
/// </summary>
/// <param name="RequestId">The broadcast's <see cref="Broadcast.AckRequestId"/>.</param>
/// <param name="DistributorId">The answering distributor.</param>
/// <param name="Count">The sockets it wrote the event to.</param>
public sealed record BroadcastAckCount(ulong RequestId, string DistributorId, ulong Count) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.BroadcastAckCount, 48);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(DistributorId);
        writer.WriteVarUInt(Count);
        return writer.ToArray();
    }

    internal static BroadcastAckCount Read(ref BusReader reader) => new(reader.ReadVarUInt(), reader.ReadString(), reader.ReadVarUInt());
}

/// <summary>
/// One client's answer to a broadcast with acknowledgements, relayed by its distributor to the
/// broadcasting backend as the client sent it (the ACK packet text and its attachments).
/// Layout: <c>requestId: u64, socketId: str, packet: bytes, attachments: blocks</c>.
/// </summary>
/// <param name="RequestId">The broadcast's <see cref="Broadcast.AckRequestId"/>.</param>
/// <param name="SocketId">The answering socket.</param>
/// <param name="Packet">The ACK packet text as the client sent it (namespace and ack id included).</param>
/// <param name="Attachments">Its binary attachments.</param>
public sealed record BroadcastAckAnswer(ulong RequestId, string SocketId, ReadOnlyMemory<byte> Packet, IReadOnlyList<ReadOnlyMemory<byte>> Attachments) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var size = 48 + Packet.Length;
        foreach (var attachment in Attachments)
        {
            size += attachment.Length + 5;
        }

        var writer = new BusWriter(BusMessageType.BroadcastAckAnswer, size);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(SocketId);
        writer.WriteBytes(Packet.Span);
        writer.WriteBlocks(Attachments);
        return writer.ToArray();
    }

    internal static BroadcastAckAnswer Read(ref BusReader reader) => new(reader.ReadVarUInt(), reader.ReadString(), reader.ReadBytes(), reader.ReadBlocks());
}

/// <summary>
/// A distributor tells a socket's backend that the socket joined or left rooms on another's request (another
/// backend replica, or a remote query), so that the backend's <c>socket.Rooms</c> stays the distributor's truth.
/// A delta, not a snapshot, so that it commutes with the backend's own joins still on their way.
/// Layout: <c>socketId: str, joined: u8, rooms: str[]</c>.
/// </summary>
/// <param name="SocketId">The socket.</param>
/// <param name="Joined">True for rooms joined, false for rooms left.</param>
/// <param name="Rooms">The rooms.</param>
public sealed record RoomsChanged(string SocketId, bool Joined, IReadOnlyCollection<string> Rooms) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.RoomsChanged, 64);
        writer.WriteString(SocketId);
        writer.WriteBool(Joined);
        writer.WriteStrings(Rooms);
        return writer.ToArray();
    }

    internal static RoomsChanged Read(ref BusReader reader) => new(reader.ReadString(), reader.ReadBool(), reader.ReadStrings());
}

/// <summary>
/// A backend tells a socket's distributor the socket's application data (<c>socket.data</c>) after it changed,
/// as one JSON object. The distributor keeps the latest copy: it answers remote fetches with it, and hands it to
/// the next backend replica when the socket moves (in the recovery CONNECT's handshake, as <c>"data"</c>).
/// Layout: <c>socketId: str, data: bytes (a JSON object)</c>.
/// </summary>
/// <param name="SocketId">The socket.</param>
/// <param name="DataJson">Its data, a JSON object.</param>
public sealed record SocketDataChanged(string SocketId, ReadOnlyMemory<byte> DataJson) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.SocketDataChanged, 32 + DataJson.Length);
        writer.WriteString(SocketId);
        writer.WriteBytes(DataJson.Span);
        return writer.ToArray();
    }

    internal static SocketDataChanged Read(ref BusReader reader) => new(reader.ReadString(), reader.ReadBytes());
}
