namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// The wire contract between distributors and backends, carried by Redis pub/sub.
/// <para>
/// Every message is <c>[version: u8 = 1][type: u8][fields...]</c>. Fields use the primitives of
/// <see cref="BusWriter"/>: <c>str</c> = varint length + UTF-8; <c>bytes</c> = varint length + bytes;
/// <c>str[]</c> = varint count + str each; <c>frames</c> = varint count + (u8 binary flag + bytes) each;
/// <c>blocks</c> = varint count + bytes each; <c>u64</c> = varint.
/// </para>
/// <para>
/// The contract is append-only: a new version of a message may only add fields at its end, and a
/// reader ignores trailing fields it does not know, so old and new processes run side by side. A
/// new message type gets a new number; numbers are never reused. Each message's layout is documented
/// on its record.
/// </para>
/// </summary>
public static class BusMessage
{
    /// <summary>The envelope version. It changes only if the envelope itself changes.</summary>
    public const byte Version = 1;

    /// <summary>The type of an encoded message without decoding it; null if the bytes are too short or of another envelope version.</summary>
    /// <param name="bytes">The message.</param>
    /// <returns>Its type, or null.</returns>
    public static BusMessageType? PeekType(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 2 && bytes[0] == Version ? (BusMessageType)bytes[1] : null;

    /// <summary>Decodes a message of any type.</summary>
    /// <param name="bytes">The message.</param>
    /// <returns>The message record.</returns>
    /// <exception cref="BusFormatException">The bytes are not a message of a known type.</exception>
    public static IBusMessage Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new BusReader(bytes);
            return reader.Type switch
            {
                BusMessageType.ConnectRequest => ConnectRequest.Read(ref reader),
                BusMessageType.ConnectResult => ConnectResult.Read(ref reader),
                BusMessageType.ClientPacket => ClientPacket.Read(ref reader),
                BusMessageType.SocketDisconnected => SocketDisconnected.Read(ref reader),
                BusMessageType.SendToSocket => SendToSocket.Read(ref reader),
                BusMessageType.Broadcast => Broadcast.Read(ref reader),
                BusMessageType.SocketCommand => SocketCommand.Read(ref reader),
                BusMessageType.CommandAck => CommandAck.Read(ref reader),
                BusMessageType.RemoteQuery => RemoteQuery.Read(ref reader),
                BusMessageType.RemoteReply => RemoteReply.Read(ref reader),
                BusMessageType.Custom => CustomMessage.Read(ref reader),
                BusMessageType.MemberLeaving => MemberLeaving.Read(ref reader),
                BusMessageType.SocketInventory => SocketInventory.Read(ref reader),
                BusMessageType.SocketsUnknown => SocketsUnknown.Read(ref reader),
                BusMessageType.ReconcileRequest => ReconcileRequest.Read(ref reader),
                BusMessageType.BackendDrained => BackendDrained.Read(ref reader),
                BusMessageType.InboxProgress => InboxProgress.Read(ref reader),
                BusMessageType.InboxProbe => InboxProbe.Read(ref reader),
                BusMessageType.RelayRequest => RelayRequest.Read(ref reader),
                BusMessageType.RelayResponse => RelayResponse.Read(ref reader),
                BusMessageType.TunnelFrame => TunnelFrame.Read(ref reader),
                BusMessageType.RelayCancel => RelayCancel.Read(ref reader),
                BusMessageType.BroadcastAckCount => BroadcastAckCount.Read(ref reader),
                BusMessageType.BroadcastAckAnswer => BroadcastAckAnswer.Read(ref reader),
                BusMessageType.ServerSideEmit => ServerSideEmit.Read(ref reader),
                BusMessageType.ServerSideReply => ServerSideReply.Read(ref reader),
                BusMessageType.RoomsChanged => RoomsChanged.Read(ref reader),
                BusMessageType.SocketDataChanged => SocketDataChanged.Read(ref reader),
                BusMessageType.ReplayEntry => ReplayEntry.Read(ref reader),
                BusMessageType.DepartureSeen => DepartureSeen.Read(ref reader),
                BusMessageType.Batch => throw new BusFormatException("A batch of bus messages is split by the bus (MessageBatch.Split), not decoded as one message."),
                _ => throw new BusFormatException($"Unknown bus message type {(byte)reader.Type}."),
            };
        }
        catch (ArgumentException ex)
        {
            throw new BusFormatException("Bus message is malformed: " + ex.Message, ex);
        }
    }
}

/// <summary>The types of bus messages. Numbers are part of the wire contract and never reused.</summary>
public enum BusMessageType : byte
{
    /// <summary>Distributor to backend: a client wants to connect to the namespace.</summary>
    ConnectRequest = 1,

    /// <summary>Backend to distributor: the connection is accepted or rejected.</summary>
    ConnectResult = 2,

    /// <summary>Distributor to backend: an EVENT or ACK from a client, as the client sent it.</summary>
    ClientPacket = 3,

    /// <summary>Distributor to backend: a socket left.</summary>
    SocketDisconnected = 4,

    /// <summary>Backend to distributor: frames for one socket.</summary>
    SendToSocket = 5,

    /// <summary>Backend to distributors: frames for a namespace or rooms.</summary>
    Broadcast = 6,

    /// <summary>Backend to distributor: join, leave or disconnect one socket.</summary>
    SocketCommand = 7,

    /// <summary>Distributor to backend: a command that asked for it is done.</summary>
    CommandAck = 8,

    /// <summary>Backend to distributors: fetch, join, leave or disconnect the sockets that match.</summary>
    RemoteQuery = 9,

    /// <summary>Distributor to backend: the answer to a remote query.</summary>
    RemoteReply = 10,

    /// <summary>Any process to every distributor: an application-defined message.</summary>
    Custom = 11,

    /// <summary>A process announces that it is shutting down.</summary>
    MemberLeaving = 12,

    /// <summary>Distributor to backend: the sockets it has assigned to that backend (reconciliation).</summary>
    SocketInventory = 13,

    /// <summary>Backend to distributor: sockets of an inventory or a packet that the backend does not hold.</summary>
    SocketsUnknown = 14,

    /// <summary>Backend to every distributor: asks each to send its <see cref="SocketInventory"/>.</summary>
    ReconcileRequest = 15,

    /// <summary>Backend to every process: it drained and unsubscribes now (numbers 16-18 belong to failover, 19-22 to the session relay).</summary>
    BackendDrained = 16,

    /// <summary>Backend to distributor: how far it has handled what that distributor sent.</summary>
    InboxProgress = 17,

    /// <summary>Distributor to backend: is anybody listening on this inbox? (ignored by the backend).</summary>
    InboxProbe = 18,

    /// <summary>Distributor to distributor: a polling request or WebSocket for a session the receiver holds.</summary>
    RelayRequest = 19,

    /// <summary>Distributor to distributor: the answer to a <see cref="RelayRequest"/>.</summary>
    RelayResponse = 20,

    /// <summary>Distributor to distributor: one WebSocket message of a tunnelled session.</summary>
    TunnelFrame = 21,

    /// <summary>Distributor to distributor: a relayed request or tunnel ends (client gone, timeout, broken).</summary>
    RelayCancel = 22,

    /// <summary>Distributor to backend: how many sockets it wrote a broadcast with acknowledgements to (numbers 23-28 belong to the backend API).</summary>
    BroadcastAckCount = 23,

    /// <summary>Distributor to backend: one client's answer to a broadcast with acknowledgements.</summary>
    BroadcastAckAnswer = 24,

    /// <summary>Backend to the other backends of a namespace: an event between servers.</summary>
    ServerSideEmit = 25,

    /// <summary>Backend to backend: the answer to a <see cref="ServerSideEmit"/>.</summary>
    ServerSideReply = 26,

    /// <summary>Distributor to backend: a socket joined or left rooms on another's request.</summary>
    RoomsChanged = 27,

    /// <summary>Backend to distributor: a socket's application data changed (the distributor keeps a copy).</summary>
    SocketDataChanged = 28,

    /// <summary>Not published: a recoverable emit kept in a namespace's replay log (numbers 29-32 belong to connection state recovery).</summary>
    ReplayEntry = 29,

    /// <summary>Any direction: several messages for one channel in one pub/sub message (<see cref="MessageBatch"/>); the bus splits it.</summary>
    Batch = 33,

    /// <summary>Distributor to backend: it read the backend's departure and moved its sockets; nothing more from it follows.</summary>
    DepartureSeen = 34,
}

/// <summary>A decoded bus message.</summary>
public interface IBusMessage
{
    /// <summary>Encodes the message.</summary>
    /// <returns>The bytes to publish.</returns>
    byte[] Encode();
}
