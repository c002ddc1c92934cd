namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>What a relayed request asks the distributor that holds the session to do.</summary>
public enum RelayRequestKind : byte
{
    /// <summary>A long-polling GET: answered with the frames queued for the client (held until there are some).</summary>
    PollGet = 1,

    /// <summary>A long-polling POST: the client's packets in the body; answered <c>ok</c>.</summary>
    PollPost = 2,

    /// <summary>A WebSocket (an upgrade, or a direct WebSocket with a sid): answered 101 when a tunnel opens, then <see cref="TunnelFrame"/>s flow both ways.</summary>
    WebSocket = 3,
}

/// <summary>The kinds of <see cref="TunnelFrame"/>: a WebSocket message's type, or its close.</summary>
public enum TunnelFrameKind : byte
{
    /// <summary>A text message.</summary>
    Text = 1,

    /// <summary>A binary message.</summary>
    Binary = 2,

    /// <summary>The sender closed its side (a WebSocket close frame; the payload is empty).</summary>
    Close = 8,
}

/// <summary>
/// An Engine.IO request for a session held by another distributor (the session id names it): the
/// distributor that received it relays it on the holder's relay channel, which serves it with its own
/// polling code and answers with a <see cref="RelayResponse"/> on the relaying distributor's relay channel.
/// Layout: <c>requestId: u64, replyTo: str, sid: str, kind: u8, query: str (the raw query string,
/// with its '?'), contentType: str, body: bytes (at most maxPayload + 1 bytes: one more tells the
/// holder the client sent too much)</c>.
/// </summary>
/// <param name="RequestId">Unique per relaying distributor; answers and cancels name it.</param>
/// <param name="ReplyTo">The relaying distributor's id.</param>
/// <param name="Sid">The Engine.IO session id.</param>
/// <param name="Kind">GET, POST or WebSocket.</param>
/// <param name="Query">The request's query string (with its '?').</param>
/// <param name="ContentType">The request's content type (EIO3 binary POSTs are <c>application/octet-stream</c>).</param>
/// <param name="Body">The POST body.</param>
public sealed record RelayRequest(ulong RequestId, string ReplyTo, string Sid, RelayRequestKind Kind, string Query, string ContentType, ReadOnlyMemory<byte> Body) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.RelayRequest, 96 + Query.Length + Body.Length);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(ReplyTo);
        writer.WriteString(Sid);
        writer.WriteByte((byte)Kind);
        writer.WriteString(Query);
        writer.WriteString(ContentType);
        writer.WriteBytes(Body.Span);
        return writer.ToArray();
    }

    internal static RelayRequest Read(ref BusReader reader) => new(
        reader.ReadVarUInt(),
        reader.ReadString(),
        reader.ReadString(),
        (RelayRequestKind)reader.ReadByte(),
        reader.ReadString(),
        reader.ReadString(),
        reader.ReadBytes());
}

/// <summary>
/// The holder's answer to a <see cref="RelayRequest"/>, written to the client as it is: the HTTP status
/// (101 for a WebSocket tunnel that opened), the content type and the body.
/// Layout: <c>requestId: u64, responderId: str, status: u64, contentType: str, body: bytes</c>.
/// </summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="ResponderId">The distributor that served it.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="ContentType">The response's content type (empty for none).</param>
/// <param name="Body">The response body.</param>
public sealed record RelayResponse(ulong RequestId, string ResponderId, int Status, string ContentType, ReadOnlyMemory<byte> Body) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.RelayResponse, 64 + Body.Length);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(ResponderId);
        writer.WriteVarUInt((ulong)Status);
        writer.WriteString(ContentType);
        writer.WriteBytes(Body.Span);
        return writer.ToArray();
    }

    internal static RelayResponse Read(ref BusReader reader) => new(
        reader.ReadVarUInt(),
        reader.ReadString(),
        (int)Math.Min(reader.ReadVarUInt(), 999),
        reader.ReadString(),
        reader.ReadBytes());
}

/// <summary>
/// One WebSocket message of a tunnelled session, either way: from the client (relaying distributor to
/// holder) or to it (holder to relaying distributor), on the receiver's relay channel. One publisher
/// per direction on one channel, so the messages keep their order.
/// Layout: <c>requestId: u64 (the tunnel's <see cref="RelayRequest"/>), senderId: str, toHolder: bool, kind: u8, payload: bytes</c>.
/// </summary>
/// <param name="RequestId">The tunnel's request id (the relaying distributor's).</param>
/// <param name="SenderId">The sending distributor.</param>
/// <param name="ToHolder">True from the client (to the distributor holding the session), false to it (two distributors may relay to each other under the same request id).</param>
/// <param name="Kind">Text, binary or close.</param>
/// <param name="Payload">The message.</param>
public sealed record TunnelFrame(ulong RequestId, string SenderId, bool ToHolder, TunnelFrameKind Kind, ReadOnlyMemory<byte> Payload) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.TunnelFrame, 32 + Payload.Length);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(SenderId);
        writer.WriteBool(ToHolder);
        writer.WriteByte((byte)Kind);
        writer.WriteBytes(Payload.Span);
        return writer.ToArray();
    }

    internal static TunnelFrame Read(ref BusReader reader) =>
        new(reader.ReadVarUInt(), reader.ReadString(), reader.ReadBool(), (TunnelFrameKind)reader.ReadByte(), reader.ReadBytes());
}

/// <summary>
/// Ends a relayed request or tunnel at the other side at once: the client went away, the request timed
/// out, or the tunnel broke (either way). Layout: <c>requestId: u64, senderId: str, toHolder: bool, reason: str</c>.
/// </summary>
/// <param name="RequestId">The request's id (the relaying distributor's).</param>
/// <param name="SenderId">The sending distributor.</param>
/// <param name="ToHolder">True from the relaying distributor to the holder, false the other way.</param>
/// <param name="Reason">Why, for the log.</param>
public sealed record RelayCancel(ulong RequestId, string SenderId, bool ToHolder, string Reason) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.RelayCancel, 48);
        writer.WriteVarUInt(RequestId);
        writer.WriteString(SenderId);
        writer.WriteBool(ToHolder);
        writer.WriteString(Reason);
        return writer.ToArray();
    }

    internal static RelayCancel Read(ref BusReader reader) => new(reader.ReadVarUInt(), reader.ReadString(), reader.ReadBool(), reader.ReadString());
}
