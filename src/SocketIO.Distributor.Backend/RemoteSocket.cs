using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// A socket of the namespace as a distributor reported it (socket.io's <c>RemoteSocket</c>): it may
/// be served by this backend or another replica. Commands go straight to its distributor.
/// </summary>
public sealed class RemoteSocket
{
    private readonly BackendNamespace _namespace;

    internal RemoteSocket(BackendNamespace nsp, string distributorId, RemoteSocketInfo info)
    {
        _namespace = nsp;
        DistributorId = distributorId;
        Id = info.SocketId;
        Rooms = new HashSet<string>(info.Rooms, StringComparer.Ordinal);
        Handshake = ParseHandshake(info.HandshakeJson);
    }

    /// <summary>The socket id.</summary>
    public string Id { get; }

    /// <summary>The namespace.</summary>
    public string Namespace => _namespace.Name;

    /// <summary>The distributor holding the client.</summary>
    public string DistributorId { get; }

    /// <summary>Its rooms when the distributor answered.</summary>
    public IReadOnlySet<string> Rooms { get; }

    /// <summary>Its handshake.</summary>
    public SocketHandshake Handshake { get; }

    /// <summary>Emits an event to this socket.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    public void Emit(string ev, params object?[] args)
    {
        var backend = _namespace.Backend;
        var frames = backend.Codec.EncodeEvent(ev, args).EventFrames(Namespace, -1);
        backend.Router.SendToSocket(DistributorId, Id, EmitFlags.None, frames);
    }

    /// <summary>Makes the socket join <paramref name="rooms"/> (not awaited).</summary>
    /// <param name="rooms">The rooms.</param>
    public void Join(params string[] rooms) =>
        _namespace.Backend.Router.SendCommand(DistributorId, Id, SocketCommandKind.Join, BroadcastOperator.CheckRooms(rooms), close: false);

    /// <summary>Makes the socket leave <paramref name="rooms"/> (not awaited).</summary>
    /// <param name="rooms">The rooms.</param>
    public void Leave(params string[] rooms) =>
        _namespace.Backend.Router.SendCommand(DistributorId, Id, SocketCommandKind.Leave, BroadcastOperator.CheckRooms(rooms), close: false);

    /// <summary>Disconnects the socket from the namespace.</summary>
    /// <param name="close">Also close the client's connection.</param>
    public void Disconnect(bool close = false) =>
        _namespace.Backend.Router.SendCommand(DistributorId, Id, SocketCommandKind.Disconnect, [], close);

    private static SocketHandshake ParseHandshake(ReadOnlyMemory<byte> json)
    {
        try
        {
            return json.IsEmpty ? SocketHandshake.Empty : SocketHandshake.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return SocketHandshake.Empty;
        }
    }
}
