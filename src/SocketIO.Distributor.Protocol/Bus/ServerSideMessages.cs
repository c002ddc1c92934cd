namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// A backend emits an event to the other backends (replicas) serving a namespace (socket.io's
/// <c>serverSideEmit</c>), sent to each one's inbox. When <see cref="RequestId"/> is not zero, each
/// receiver answers with one <see cref="ServerSideReply"/> on <see cref="ReplyChannel"/>.
/// Layout: <c>namespace: str, originId: str, event: str, args: bytes (a JSON array), requestId: u64, replyChannel: str</c>.
/// </summary>
/// <param name="Namespace">The namespace whose backends receive it.</param>
/// <param name="OriginId">The emitting backend.</param>
/// <param name="Event">The event name.</param>
/// <param name="ArgumentsJson">The arguments, a JSON array.</param>
/// <param name="RequestId">Non-zero when the emitter waits for answers.</param>
/// <param name="ReplyChannel">Where to answer.</param>
public sealed record ServerSideEmit(string Namespace, string OriginId, string Event, ReadOnlyMemory<byte> ArgumentsJson, ulong RequestId, string ReplyChannel) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.ServerSideEmit, 96 + ArgumentsJson.Length);
        writer.WriteString(Namespace);
        writer.WriteString(OriginId);
        writer.WriteString(Event);
        writer.WriteBytes(ArgumentsJson.Span);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(ReplyChannel);
        return writer.ToArray();
    }

    internal static ServerSideEmit Read(ref BusReader reader) =>
        new(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadBytes(), reader.ReadVarUInt(), reader.ReadString());
}

/// <summary>
/// A backend's answer to a <see cref="ServerSideEmit"/> that asked for one.
/// Layout: <c>requestId: u64, backendId: str, args: bytes (a JSON array)</c>.
/// </summary>
/// <param name="RequestId">The emit's request id.</param>
/// <param name="BackendId">The answering backend.</param>
/// <param name="ArgumentsJson">The answer's arguments, a JSON array.</param>
public sealed record ServerSideReply(ulong RequestId, string BackendId, ReadOnlyMemory<byte> ArgumentsJson) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.ServerSideReply, 48 + ArgumentsJson.Length);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(BackendId);
        writer.WriteBytes(ArgumentsJson.Span);
        return writer.ToArray();
    }

    internal static ServerSideReply Read(ref BusReader reader) => new(reader.ReadVarUInt(), reader.ReadString(), reader.ReadBytes());
}
