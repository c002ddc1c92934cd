using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>Flags of an emit.</summary>
[Flags]
public enum EmitFlags : byte
{
    /// <summary>An ordinary emit: never dropped short of a disconnect.</summary>
    None = 0,

    /// <summary>May be dropped when the client cannot take it now.</summary>
    Volatile = 1,

    /// <summary>
    /// The emitter asked for compression (socket.io's <c>compress(true)</c>). Carried for transports
    /// that can compress; today's transports do not (no permessage-deflate), so it changes nothing.
    /// </summary>
    Compress = 2,

    /// <summary>
    /// The EVENT carries a connection state recovery offset as its last argument (and is kept in the
    /// namespace's replay log); a distributor removes it for clients that take no offsets (EIO3).
    /// Readers that do not know this flag ignore it.
    /// </summary>
    Recoverable = 4,
}

/// <summary>
/// Frames for one socket, sent to the distributor that holds it. The frames are a Socket.IO packet
/// encoded once by the backend (an Engine.IO message text frame) and its binary attachments; the
/// distributor writes them unchanged.
/// Layout: <c>socketId: str, flags: u8, frames: frames, senderId: str, channelSequence: u64, answersAck: u64</c>
/// (senderId and channelSequence were appended, then answersAck; a message without them has sequence 0:
/// not tracked, and answers no ack). <c>answersAck</c> is the client's ack id + 1 when the frames are
/// the ACK packet answering that client event (0 otherwise), so the distributor knows the event was
/// handled and stops holding it against a backend loss.
/// </summary>
/// <param name="SocketId">The socket.</param>
/// <param name="Flags">Emit flags.</param>
/// <param name="Frames">The frames to write, in order.</param>
/// <param name="SenderId">The publishing process.</param>
/// <param name="ChannelSequence">1, 2, 3... per sender and channel, so receivers can count messages Redis dropped; 0 when not tracked.</param>
/// <param name="AnswersAck">The client's ack id + 1 when the frames answer that client event; 0 otherwise.</param>
public sealed record SendToSocket(string SocketId, EmitFlags Flags, IReadOnlyList<EngineFrame> Frames, string SenderId = "", ulong ChannelSequence = 0, ulong AnswersAck = 0) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.SendToSocket, 32 + FramesSize(Frames));
        writer.WriteString(SocketId);
        writer.WriteByte((byte)Flags);
        writer.WriteFrames(Frames);
        writer.WriteString(SenderId);
        writer.WriteVarUInt(ChannelSequence);
        writer.WriteVarUInt(AnswersAck);
        return writer.ToArray();
    }

    internal static SendToSocket Read(ref BusReader reader)
    {
        var socketId = reader.ReadString();
        var flags = (EmitFlags)reader.ReadByte();
        var frames = reader.ReadFrames();
        if (!reader.HasMore)
        {
            return new SendToSocket(socketId, flags, frames);
        }

        var send = new SendToSocket(socketId, flags, frames, reader.ReadString(), reader.ReadVarUInt());
        return reader.HasMore ? send with { AnswersAck = reader.ReadVarUInt() } : send;
    }

    internal static int FramesSize(IReadOnlyList<EngineFrame> frames)
    {
        var size = 0;
        foreach (var frame in frames)
        {
            size += frame.Length + 6;
        }

        return size;
    }
}

/// <summary>
/// Frames for every socket of a namespace, or of some rooms, except sockets in the excluded rooms.
/// Published on the namespace channel (no rooms) or on each room's channel; a distributor that
/// receives the same broadcast on several room channels delivers it once (by origin and sequence).
/// Layout: <c>namespace: str, rooms: str[], except: str[], flags: u8, originId: str, sequence: u64, frames: frames, channelSequence: u64,
/// ackRequestId: u64, replyChannel: str, ackId: u64, ackTimeoutMs: u64</c>
/// (channelSequence was appended, then the four ack fields; without them the channel sequence is 0: not
/// tracked, and no acknowledgement is asked). A broadcast with a non-zero <c>ackRequestId</c> carries frames
/// whose EVENT has the ack id <c>ackId</c>; each distributor answers it with one <see cref="BroadcastAckCount"/>
/// on <c>replyChannel</c>, then relays each client's answer (an ACK with that id, within <c>ackTimeoutMs</c>)
/// as a <see cref="BroadcastAckAnswer"/> instead of sending it to the socket's backend.
/// </summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Rooms">The rooms (a union); empty for the whole namespace.</param>
/// <param name="Except">Rooms whose sockets are left out.</param>
/// <param name="Flags">Emit flags.</param>
/// <param name="OriginId">The sending process.</param>
/// <param name="Sequence">A number unique per origin, for delivering a multi-room broadcast once.</param>
/// <param name="Frames">The frames to write, in order.</param>
/// <param name="ChannelSequence">1, 2, 3... per origin and channel, so receivers can count messages Redis dropped; 0 when not tracked.</param>
/// <param name="AckRequestId">Non-zero when the origin waits for every client's acknowledgement.</param>
/// <param name="ReplyChannel">Where counts and answers go (the origin's inbox).</param>
/// <param name="AckId">The ack id the frames' EVENT carries.</param>
/// <param name="AckTimeoutMs">How long the origin waits; a distributor forgets the expected answers after it.</param>
public sealed record Broadcast(
    string Namespace,
    IReadOnlyCollection<string> Rooms,
    IReadOnlyCollection<string> Except,
    EmitFlags Flags,
    string OriginId,
    ulong Sequence,
    IReadOnlyList<EngineFrame> Frames,
    ulong ChannelSequence = 0,
    ulong AckRequestId = 0,
    string ReplyChannel = "",
    ulong AckId = 0,
    ulong AckTimeoutMs = 0) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.Broadcast, 64 + SendToSocket.FramesSize(Frames));
        writer.WriteString(Namespace);
        writer.WriteStrings(Rooms);
        writer.WriteStrings(Except);
        writer.WriteByte((byte)Flags);
        writer.WriteString(OriginId);
        writer.WriteVarUInt(Sequence);
        writer.WriteFrames(Frames);
        writer.WriteVarUInt(ChannelSequence);
        if (AckRequestId != 0)
        {
            writer.WriteVarUInt(AckRequestId);
            writer.WriteString(ReplyChannel);
            writer.WriteVarUInt(AckId);
            writer.WriteVarUInt(AckTimeoutMs);
        }

        return writer.ToArray();
    }

    internal static Broadcast Read(ref BusReader reader)
    {
        var broadcast = new Broadcast(reader.ReadString(), reader.ReadStrings(), reader.ReadStrings(), (EmitFlags)reader.ReadByte(), reader.ReadString(), reader.ReadVarUInt(), reader.ReadFrames());
        if (!reader.HasMore)
        {
            return broadcast;
        }

        broadcast = broadcast with { ChannelSequence = reader.ReadVarUInt() };
        return reader.HasMore
            ? broadcast with { AckRequestId = reader.ReadVarUInt(), ReplyChannel = reader.ReadString(), AckId = reader.ReadVarUInt(), AckTimeoutMs = reader.ReadVarUInt() }
            : broadcast;
    }
}
