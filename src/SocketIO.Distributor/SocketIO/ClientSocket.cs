using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.SocketIO;

/// <summary>
/// A client's connection to one namespace (socket.io's server-side <c>Socket</c>), as the
/// connection layer sees it: it can be written to and disconnected. Thread-safe.
/// </summary>
public sealed class ClientSocket
{
    private readonly SocketClient _client;

    internal ClientSocket(SocketClient client, string nsp, string id, ReadOnlyMemory<byte> auth, INamespaceHandler handler)
    {
        _client = client;
        Namespace = nsp;
        NamespaceUtf8 = System.Text.Encoding.UTF8.GetBytes(nsp);
        Id = id;
        Auth = auth;
        Handler = handler;
    }

    /// <summary>The socket id: unique across the cluster, sent to the client in CONNECT.</summary>
    public string Id { get; private set; }

    /// <summary>
    /// Gives a socket not yet connected a new id: its recovery was refused, and socket.io then makes a
    /// brand-new socket (connection state recovery).
    /// </summary>
    internal void RenewId(string id) => Id = id;

    /// <summary>The namespace, for example <c>/chat</c>.</summary>
    public string Namespace { get; }

    /// <summary>The auth payload of the client's CONNECT as a JSON object (<c>{}</c> when none; the query for EIO3 clients).</summary>
    public ReadOnlyMemory<byte> Auth { get; }

    /// <summary>The HTTP request that opened the underlying connection.</summary>
    public EngineHandshake Handshake => _client.Session.Handshake;

    /// <summary>The Engine.IO revision of the client.</summary>
    public EngineProtocolVersion ProtocolVersion => _client.Session.ProtocolVersion;

    /// <summary>The underlying Engine.IO session (shared by the client's namespaces).</summary>
    public EngineSession Session => _client.Session;

    /// <summary>True while the socket is connected to its namespace.</summary>
    public bool IsConnected { get; internal set; }

    /// <summary>State that the namespace handler keeps with this socket.</summary>
    public object? UserState { get; set; }

    internal INamespaceHandler Handler { get; }

    internal byte[] NamespaceUtf8 { get; }

    /// <summary>Writes pre-encoded frames (a packet and its attachments) to the client, in order.</summary>
    /// <param name="frames">The frames; their bytes may be shared with other clients.</param>
    /// <returns>False if the connection is closed or the client was too slow (and got disconnected).</returns>
    public bool Send(ReadOnlySpan<EngineFrame> frames) => _client.Session.Send(frames);

    /// <summary>Writes a pre-encoded frame, or drops it if the client's queue is full (a volatile emit).</summary>
    /// <param name="frame">The frame.</param>
    /// <returns>False if dropped.</returns>
    public bool SendVolatile(EngineFrame frame) => _client.Session.Send(frame, closeWhenFull: false);

    /// <summary>Writes pre-encoded frames, or drops them all if the client's queue is full (a volatile emit).</summary>
    /// <param name="frames">The frames.</param>
    /// <returns>False if dropped.</returns>
    public bool SendVolatile(ReadOnlySpan<EngineFrame> frames) => _client.Session.Send(frames, closeWhenFull: false);

    /// <summary>Encodes and writes a packet of this socket's namespace, with binary attachments if any.</summary>
    /// <param name="type">EVENT or ACK (the binary form is chosen when there are attachments).</param>
    /// <param name="ackId">The acknowledgement id, or -1.</param>
    /// <param name="json">The packet's JSON data (placeholders already in place for attachments).</param>
    /// <param name="attachments">The binary attachments.</param>
    /// <returns>False if the connection is closed.</returns>
    public bool SendPacket(SocketPacketType type, long ackId, ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        var count = attachments?.Count ?? 0;
        if (count > 0)
        {
            type = type switch
            {
                SocketPacketType.Event => SocketPacketType.BinaryEvent,
                SocketPacketType.Ack => SocketPacketType.BinaryAck,
                _ => type,
            };
        }

        var frames = new EngineFrame[count + 1];
        frames[0] = SocketPacketWriter.EncodeFrame(type, Namespace, ackId, count, json);
        for (var i = 0; i < count; i++)
        {
            frames[i + 1] = EngineFrame.Binary(attachments![i]);
        }

        return Send(frames);
    }

    /// <summary>Disconnects the socket from its namespace (the client receives DISCONNECT).</summary>
    /// <param name="closeConnection">True to close the whole underlying connection too.</param>
    public void Disconnect(bool closeConnection = false) => _client.DisconnectSocket(this, closeConnection);
}
