namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>What a <see cref="SocketCommand"/> or <see cref="RemoteQuery"/> does to the sockets it targets.</summary>
public enum SocketCommandKind : byte
{
    /// <summary>Join the rooms.</summary>
    Join = 1,

    /// <summary>Leave the rooms.</summary>
    Leave = 2,

    /// <summary>Disconnect from the namespace (and close the connection when asked).</summary>
    Disconnect = 3,

    /// <summary>Report the sockets (remote queries only).</summary>
    Fetch = 4,
}

/// <summary>
/// A command for one socket, sent to the distributor that holds it. When <see cref="RequestId"/> is
/// not zero the distributor answers with <see cref="CommandAck"/> on <see cref="ReplyChannel"/> once
/// the command took effect (for a join: once the distributor receives the room's broadcasts).
/// Layout: <c>socketId: str, kind: u8, rooms: str[], close: u8, requestId: u64, replyChannel: str</c>.
/// </summary>
/// <param name="SocketId">The socket.</param>
/// <param name="Kind">Join, leave or disconnect.</param>
/// <param name="Rooms">The rooms to join or leave.</param>
/// <param name="Close">For a disconnect: also close the client's whole connection.</param>
/// <param name="RequestId">Non-zero to ask for an acknowledgement.</param>
/// <param name="ReplyChannel">Where to send it.</param>
public sealed record SocketCommand(string SocketId, SocketCommandKind Kind, IReadOnlyCollection<string> Rooms, bool Close, ulong RequestId, string ReplyChannel) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.SocketCommand, 96);
        writer.WriteString(SocketId);
        writer.WriteByte((byte)Kind);
        writer.WriteStrings(Rooms);
        writer.WriteBool(Close);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(ReplyChannel);
        return writer.ToArray();
    }

    internal static SocketCommand Read(ref BusReader reader) =>
        new(reader.ReadString(), (SocketCommandKind)reader.ReadByte(), reader.ReadStrings(), reader.ReadBool(), reader.ReadVarUInt(), reader.ReadString());
}

/// <summary>
/// A distributor confirms a <see cref="SocketCommand"/>. Layout: <c>requestId: u64, distributorId: str</c>.
/// </summary>
/// <param name="RequestId">The command's request id.</param>
/// <param name="DistributorId">The distributor that carried it out.</param>
public sealed record CommandAck(ulong RequestId, string DistributorId) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.CommandAck, 32);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(DistributorId);
        return writer.ToArray();
    }

    internal static CommandAck Read(ref BusReader reader) => new(reader.ReadVarUInt(), reader.ReadString());
}

/// <summary>
/// A query or command for every socket of a namespace that is in <see cref="Rooms"/> (all when
/// empty) and in none of <see cref="Except"/>, published on the namespace channel; every distributor
/// serving the namespace answers with one <see cref="RemoteReply"/>.
/// Layout: <c>requestId: u64, replyChannel: str, kind: u8, namespace: str, rooms: str[], except: str[], targetRooms: str[], close: u8</c>.
/// </summary>
/// <param name="RequestId">Matches the replies to the query.</param>
/// <param name="ReplyChannel">Where to send the replies.</param>
/// <param name="Kind">Fetch, join, leave or disconnect.</param>
/// <param name="Namespace">The namespace.</param>
/// <param name="Rooms">Filter: sockets in any of these rooms; empty for all.</param>
/// <param name="Except">Filter: sockets in none of these rooms.</param>
/// <param name="TargetRooms">For join and leave: the rooms to join or leave.</param>
/// <param name="Close">For disconnect: also close the connections.</param>
public sealed record RemoteQuery(
    ulong RequestId,
    string ReplyChannel,
    SocketCommandKind Kind,
    string Namespace,
    IReadOnlyCollection<string> Rooms,
    IReadOnlyCollection<string> Except,
    IReadOnlyCollection<string> TargetRooms,
    bool Close) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.RemoteQuery, 128);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(ReplyChannel);
        writer.WriteByte((byte)Kind);
        writer.WriteString(Namespace);
        writer.WriteStrings(Rooms);
        writer.WriteStrings(Except);
        writer.WriteStrings(TargetRooms);
        writer.WriteBool(Close);
        return writer.ToArray();
    }

    internal static RemoteQuery Read(ref BusReader reader) =>
        new(reader.ReadVarUInt(), reader.ReadString(), (SocketCommandKind)reader.ReadByte(), reader.ReadString(), reader.ReadStrings(), reader.ReadStrings(), reader.ReadStrings(), reader.ReadBool());
}

/// <summary>One socket in a <see cref="RemoteReply"/>.</summary>
/// <param name="SocketId">The socket id.</param>
/// <param name="Rooms">Its rooms.</param>
/// <param name="HandshakeJson">Its handshake as JSON (as in <see cref="ConnectRequest"/>).</param>
/// <param name="DataJson">Its application data as its backend last reported it (<see cref="SocketDataChanged"/>); empty when none.</param>
public sealed record RemoteSocketInfo(string SocketId, IReadOnlyCollection<string> Rooms, ReadOnlyMemory<byte> HandshakeJson, ReadOnlyMemory<byte> DataJson = default);

/// <summary>
/// A distributor's answer to a <see cref="RemoteQuery"/>: the sockets that matched (after the command took effect).
/// Layout: <c>requestId: u64, distributorId: str, count: varint, then per socket: socketId: str, rooms: str[], handshake: bytes;
/// then (appended) dataCount: varint, then per socket in the same order: data: bytes</c> (a reader of the first layout
/// stops before the data; a reply without it has no data).
/// </summary>
/// <param name="RequestId">The query's request id.</param>
/// <param name="DistributorId">The answering distributor.</param>
/// <param name="Sockets">The matching sockets.</param>
public sealed record RemoteReply(ulong RequestId, string DistributorId, IReadOnlyList<RemoteSocketInfo> Sockets) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.RemoteReply, 64 + (Sockets.Count * 256));
        writer.WriteVarUInt(RequestId);
        writer.WriteString(DistributorId);
        writer.WriteVarUInt((ulong)Sockets.Count);
        foreach (var socket in Sockets)
        {
            writer.WriteString(socket.SocketId);
            writer.WriteStrings(socket.Rooms);
            writer.WriteBytes(socket.HandshakeJson.Span);
        }

        writer.WriteVarUInt((ulong)Sockets.Count);
        foreach (var socket in Sockets)
        {
            writer.WriteBytes(socket.DataJson.Span);
        }

        return writer.ToArray();
    }

    internal static RemoteReply Read(ref BusReader reader)
    {
        var requestId = reader.ReadVarUInt();
        var distributorId = reader.ReadString();
        var count = reader.ReadVarUInt();
        var sockets = new List<RemoteSocketInfo>();
        for (ulong i = 0; i < count; i++)
        {
            sockets.Add(new RemoteSocketInfo(reader.ReadString(), reader.ReadStrings(), reader.ReadBytes()));
        }

        if (reader.HasMore && reader.ReadVarUInt() == count)
        {
            for (var i = 0; i < sockets.Count; i++)
            {
                sockets[i] = sockets[i] with { DataJson = reader.ReadBytes() };
            }
        }

        return new RemoteReply(requestId, distributorId, sockets);
    }
}
