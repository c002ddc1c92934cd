using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// A socket of the namespace as a distributor reported it (socket.io's <c>RemoteSocket</c>): it may
/// be served by this backend or another replica. Commands go straight to its distributor.
/// </summary>
public sealed class RemoteSocket
{
    private readonly BackendNamespace _namespace;
    private readonly Dictionary<string, object?> _data;

    internal RemoteSocket(BackendNamespace nsp, string distributorId, RemoteSocketInfo info)
    {
        _namespace = nsp;
        DistributorId = distributorId;
        Id = info.SocketId;
        Rooms = new HashSet<string>(info.Rooms, StringComparer.Ordinal);
        Handshake = ParseHandshake(info.HandshakeJson);
        _data = ParseData(info.DataJson);
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

    /// <summary>
    /// Emits an event to this socket and waits for the client's acknowledgement (socket.io's
    /// <c>remoteSocket.timeout(ms).emitWithAck</c>). The answer comes back to this backend even when another
    /// replica serves the socket (the distributor relays it here, as for a broadcast with acknowledgements).
    /// </summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="timeout">How long to wait; <see cref="BackendOptions.AckTimeout"/> by default.</param>
    /// <returns>The client's answer.</returns>
    /// <exception cref="TimeoutException">The client did not answer in time (or left).</exception>
    public async Task<SocketArguments> EmitWithAckAsync(string ev, object?[] args, TimeSpan? timeout = null)
    {
        var backend = _namespace.Backend;
        var wait = timeout ?? backend.Options.AckTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        var payload = backend.Codec.EncodeEvent(ev, args);
        var answers = await backend.Router.BroadcastWithAckAsync(Namespace, [Id], [], EmitFlags.None, payload, [DistributorId], wait, toDistributor: DistributorId).ConfigureAwait(false);
        return answers.Count == 1 ? answers[0] : throw new TimeoutException($"Socket {Id} is no longer connected to distributor {DistributorId}.");
    }

    /// <summary>
    /// The socket's data (socket.io's <c>remoteSocket.data</c>): a copy of <see cref="BackendSocket.Data"/> when this
    /// backend serves the socket, else the copy its distributor held when it answered (values as
    /// <see cref="System.Text.Json.JsonElement"/>s, read-only).
    /// </summary>
    public IReadOnlyDictionary<string, object?> Data =>
        _namespace.Sockets.TryGetValue(Id, out var socket) ? new Dictionary<string, object?>(socket.Data, StringComparer.Ordinal) : _data;

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

    private static Dictionary<string, object?> ParseData(ReadOnlyMemory<byte> json)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json.IsEmpty)
        {
            return data;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    data[property.Name] = property.Value.Clone();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // A copy the distributor could not have stored: no data.
        }

        return data;
    }

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
