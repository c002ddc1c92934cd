namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// A client asks to connect to a namespace; sent to one live backend of it.
/// Layout: <c>distributorId: str, socketId: str, namespace: str, handshake: bytes (JSON), recovered: u8, channelSequence: u64</c>
/// (the last was appended; without it the sequence is 0: not tracked). The sender is <c>distributorId</c>.
/// </summary>
/// <param name="DistributorId">The distributor that holds the client.</param>
/// <param name="SocketId">The id the socket will have.</param>
/// <param name="Namespace">The namespace.</param>
/// <param name="HandshakeJson">The handshake as JSON: headers, query, auth, address, url, secure, issued, time, extra.</param>
/// <param name="Recovered">True when the socket was already connected and moves here from a backend that died.</param>
/// <param name="ChannelSequence">1, 2, 3... per distributor and backend inbox (see <see cref="ClientPacket"/>); 0 when not tracked.</param>
public sealed record ConnectRequest(string DistributorId, string SocketId, string Namespace, ReadOnlyMemory<byte> HandshakeJson, bool Recovered, ulong ChannelSequence = 0) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.ConnectRequest, 128 + HandshakeJson.Length);
        writer.WriteString(DistributorId);
        writer.WriteString(SocketId);
        writer.WriteString(Namespace);
        writer.WriteBytes(HandshakeJson.Span);
        writer.WriteBool(Recovered);
        writer.WriteVarUInt(ChannelSequence);
        return writer.ToArray();
    }

    internal static ConnectRequest Read(ref BusReader reader)
    {
        var request = new ConnectRequest(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadBytes(), reader.ReadBool());
        return reader.HasMore ? request with { ChannelSequence = reader.ReadVarUInt() } : request;
    }
}

/// <summary>
/// A backend's answer to <see cref="ConnectRequest"/>.
/// Layout: <c>socketId: str, backendId: str, accepted: u8, errorJson: bytes, pid: str, rooms: str[], replayFrom: str, renewId: u8</c>
/// (pid, rooms and replayFrom were appended for connection state recovery; without them: no pid, nothing
/// restored; renewId was appended after them; without it: false).
/// <c>pid</c> is the session's private id for the CONNECT packet (empty: the namespace does not recover
/// sessions). A non-empty <c>replayFrom</c> means the socket is restored: the distributor joins it to
/// <c>rooms</c> and writes the namespace's replay log entries after that offset that target those rooms,
/// before the CONNECT packet. <c>renewId</c> (with <c>accepted</c> false) refuses a recovery: the session
/// expired, was trimmed from the log or is unknown; the distributor gives the socket a new id and sends
/// a plain <see cref="ConnectRequest"/> for it (socket.io's brand-new socket, <c>recovered</c> false).
/// </summary>
/// <param name="SocketId">The socket.</param>
/// <param name="BackendId">The backend that answered (it serves the socket from now on).</param>
/// <param name="Accepted">True if accepted.</param>
/// <param name="ErrorJson">For a rejection: the CONNECT_ERROR data (<c>{"message":...,"data":...}</c>).</param>
/// <param name="Pid">The recovery session's private id; empty when none.</param>
/// <param name="Rooms">For a restored socket: its rooms (its own id included); else empty.</param>
/// <param name="ReplayFrom">For a restored socket: the offset after which it missed emits; else empty.</param>
/// <param name="RenewId">True when a recovery is refused: connect again as a new socket with a new id.</param>
public sealed record ConnectResult(string SocketId, string BackendId, bool Accepted, ReadOnlyMemory<byte> ErrorJson, string Pid = "", IReadOnlyCollection<string>? Rooms = null, string ReplayFrom = "", bool RenewId = false) : IBusMessage
{
    /// <summary>True when the socket is restored from a recovery session.</summary>
    public bool Restored => ReplayFrom.Length > 0;

    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.ConnectResult, 96 + ErrorJson.Length);
        writer.WriteString(SocketId);
        writer.WriteString(BackendId);
        writer.WriteBool(Accepted);
        writer.WriteBytes(ErrorJson.Span);
        writer.WriteString(Pid);
        writer.WriteStrings(Rooms ?? []);
        writer.WriteString(ReplayFrom);
        writer.WriteBool(RenewId);
        return writer.ToArray();
    }

    internal static ConnectResult Read(ref BusReader reader)
    {
        var result = new ConnectResult(reader.ReadString(), reader.ReadString(), reader.ReadBool(), reader.ReadBytes());
        if (!reader.HasMore)
        {
            return result;
        }

        result = result with { Pid = reader.ReadString(), Rooms = reader.ReadStrings(), ReplayFrom = reader.ReadString() };
        return reader.HasMore ? result with { RenewId = reader.ReadBool() } : result;
    }
}

/// <summary>
/// An EVENT or ACK from a client, relayed unchanged to the socket's backend.
/// Layout: <c>socketId: str, packet: bytes (the Socket.IO packet text as the client sent it), attachments: blocks, senderId: str, channelSequence: u64</c>
/// (the last two were appended; a message without them has sequence 0: not tracked). A distributor
/// numbers what it publishes on each backend's inbox (<see cref="ConnectRequest"/>, <see cref="ClientPacket"/>,
/// <see cref="SocketDisconnected"/> share one counter per inbox), so the backend counts messages Redis dropped.
/// </summary>
/// <param name="SocketId">The socket it came from.</param>
/// <param name="Packet">The packet text, including namespace and ack id.</param>
/// <param name="Attachments">The binary attachments.</param>
/// <param name="SenderId">The publishing distributor.</param>
/// <param name="ChannelSequence">1, 2, 3... per sender and backend inbox; 0 when not tracked.</param>
public sealed record ClientPacket(string SocketId, ReadOnlyMemory<byte> Packet, IReadOnlyList<ReadOnlyMemory<byte>> Attachments, string SenderId = "", ulong ChannelSequence = 0) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var size = 32 + Packet.Length;
        foreach (var attachment in Attachments)
        {
            size += attachment.Length + 5;
        }

        var writer = new BusWriter(BusMessageType.ClientPacket, size);
        writer.WriteString(SocketId);
        writer.WriteBytes(Packet.Span);
        writer.WriteBlocks(Attachments);
        writer.WriteString(SenderId);
        writer.WriteVarUInt(ChannelSequence);
        return writer.ToArray();
    }

    internal static ClientPacket Read(ref BusReader reader)
    {
        var packet = new ClientPacket(reader.ReadString(), reader.ReadBytes(), reader.ReadBlocks());
        return reader.HasMore ? packet with { SenderId = reader.ReadString(), ChannelSequence = reader.ReadVarUInt() } : packet;
    }
}

/// <summary>
/// A socket left its namespace. Layout: <c>socketId: str, reason: str, senderId: str, channelSequence: u64</c>
/// (the last two were appended; without them the sequence is 0: not tracked).
/// </summary>
/// <param name="SocketId">The socket.</param>
/// <param name="Reason">Why, in socket.io's words (<c>transport close</c>, <c>client namespace disconnect</c>, ...).</param>
/// <param name="SenderId">The publishing distributor.</param>
/// <param name="ChannelSequence">1, 2, 3... per sender and backend inbox (see <see cref="ClientPacket"/>); 0 when not tracked.</param>
public sealed record SocketDisconnected(string SocketId, string Reason, string SenderId = "", ulong ChannelSequence = 0) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.SocketDisconnected, 64);
        writer.WriteString(SocketId);
        writer.WriteString(Reason);
        writer.WriteString(SenderId);
        writer.WriteVarUInt(ChannelSequence);
        return writer.ToArray();
    }

    internal static SocketDisconnected Read(ref BusReader reader)
    {
        var disconnected = new SocketDisconnected(reader.ReadString(), reader.ReadString());
        return reader.HasMore ? disconnected with { SenderId = reader.ReadString(), ChannelSequence = reader.ReadVarUInt() } : disconnected;
    }
}
