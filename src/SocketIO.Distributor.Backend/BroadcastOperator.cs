using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Targets sockets of a namespace by rooms (socket.io's <c>BroadcastOperator</c>). Immutable: every
/// call returns a new operator, so one can be kept and reused. An emit is encoded once and published
/// once per target channel, whatever the number of sockets.
/// </summary>
public sealed partial class BroadcastOperator
{
    private readonly BackendNamespace _namespace;
    private readonly string[] _rooms;
    private readonly string[] _except;
    private readonly EmitFlags _flags;
    private readonly TimeSpan? _timeout;
    private readonly bool _local;

    internal BroadcastOperator(BackendNamespace nsp)
        : this(nsp, [], [], EmitFlags.None, null, false)
    {
    }

    private BroadcastOperator(BackendNamespace nsp, string[] rooms, string[] except, EmitFlags flags, TimeSpan? timeout, bool local)
    {
        _namespace = nsp;
        _rooms = rooms;
        _except = except;
        _flags = flags;
        _timeout = timeout;
        _local = local;
    }

    /// <summary>The rooms targeted (a union); empty for the whole namespace.</summary>
    public IReadOnlyList<string> Rooms => _rooms;

    /// <summary>The rooms whose sockets are left out.</summary>
    public IReadOnlyList<string> ExceptRooms => _except;

    /// <summary>True if emits may be dropped for clients not ready to take them.</summary>
    public bool IsVolatile => (_flags & EmitFlags.Volatile) != 0;

    /// <summary>The same broadcast, marked volatile.</summary>
    public BroadcastOperator Volatile => new(_namespace, _rooms, _except, _flags | EmitFlags.Volatile, _timeout, _local);

    /// <summary>Also targets the sockets in <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms; a socket id is a room of one.</param>
    /// <returns>A new operator.</returns>
    public BroadcastOperator To(params string[] rooms) => new(_namespace, Union(_rooms, rooms), _except, _flags, _timeout, _local);

    /// <summary>Same as <see cref="To"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new operator.</returns>
    public BroadcastOperator In(params string[] rooms) => To(rooms);

    /// <summary>Leaves out the sockets in <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms; a socket id is a room of one.</param>
    /// <returns>A new operator.</returns>
    public BroadcastOperator Except(params string[] rooms) => new(_namespace, _rooms, Union(_except, rooms), _flags, _timeout, _local);

    /// <summary>
    /// Emits an event to the targeted sockets: one <see cref="Broadcast"/> on the namespace channel,
    /// or the same one on each room's channel. Sockets targeted by id (alone or mixed with rooms) get
    /// it through their distributor's inbox, once even when they are in a targeted room too.
    /// </summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    public void Emit(string ev, params object?[] args)
    {
        var backend = _namespace.Backend;
        var payload = backend.Codec.EncodeEvent(ev, args);
        if (_namespace.ReplayLog is { } replay && !IsVolatile)
        {
            replay.Emit(payload, _rooms, _except, _flags);
            return;
        }

        var frames = payload.EventFrames(_namespace.Name, -1);
        var router = backend.Router;
        if (_local)
        {
            EmitLocal(frames);
            return;
        }

        if (TryDirectTargets(out var targets))
        {
            foreach (var (distributorId, socketId) in targets)
            {
                router.SendToSocket(distributorId, socketId, _flags, frames);
            }

            return;
        }

        var socketTargets = SplitSocketIds(out var unconfirmed);
        router.Broadcast(_namespace.Name, _rooms, _except, _flags, frames, socketTargets, unconfirmed);
    }

    /// <summary>The targeted sockets on every distributor (socket.io's <c>fetchSockets</c>).</summary>
    /// <returns>The sockets reported within <see cref="BackendOptions.RemoteQueryTimeout"/>.</returns>
    public async Task<IReadOnlyList<RemoteSocket>> FetchSocketsAsync()
    {
        var replies = await QueryAsync(SocketCommandKind.Fetch, [], close: false).ConfigureAwait(false);
        return [.. replies.SelectMany(r => r.Sockets.Select(s => new RemoteSocket(_namespace, r.DistributorId, s)))];
    }

    /// <summary>Makes the targeted sockets join <paramref name="rooms"/>, on every distributor.</summary>
    /// <param name="rooms">The rooms to join.</param>
    /// <returns>A task that completes when every distributor answered (or at the timeout).</returns>
    public Task SocketsJoinAsync(params string[] rooms) => QueryAsync(SocketCommandKind.Join, CheckRooms(rooms), close: false);

    /// <summary>Makes the targeted sockets leave <paramref name="rooms"/>, on every distributor.</summary>
    /// <param name="rooms">The rooms to leave.</param>
    /// <returns>A task that completes when every distributor answered (or at the timeout).</returns>
    public Task SocketsLeaveAsync(params string[] rooms) => QueryAsync(SocketCommandKind.Leave, CheckRooms(rooms), close: false);

    /// <summary>Disconnects the targeted sockets, on every distributor.</summary>
    /// <param name="close">Also close the clients' connections.</param>
    /// <returns>A task that completes when every distributor answered (or at the timeout).</returns>
    public Task DisconnectSocketsAsync(bool close = false) => QueryAsync(SocketCommandKind.Disconnect, [], close);

    internal static string[] CheckRooms(string[] rooms)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        foreach (var room in rooms)
        {
            if (string.IsNullOrEmpty(room))
            {
                throw new ArgumentException("A room name must not be null or empty.", nameof(rooms));
            }
        }

        return rooms;
    }

    private static string[] Union(string[] current, string[] added) => [.. current.Union(CheckRooms(added), StringComparer.Ordinal)];

    private async Task<IReadOnlyList<RemoteReply>> QueryAsync(SocketCommandKind kind, string[] targetRooms, bool close)
    {
        var backend = _namespace.Backend;
        // Every live distributor of the namespace, and every distributor holding a socket of it here even
        // if the members view has not caught up with it yet (a query right after start): otherwise the
        // query could complete without its answer, and a following query overtake it there.
        var expected = backend.Membership.DistributorsOf(_namespace.Name).Select(m => m.Id)
            .Union(_namespace.Sockets.Values.Select(s => s.DistributorId), StringComparer.Ordinal)
            .ToList();
        var scope = new RemoteQueryScope(kind, _namespace.Name, _rooms, _except, targetRooms, close);
        return await backend.Router.QueryAsync(scope, expected, backend.Options.RemoteQueryTimeout).ConfigureAwait(false);
    }

    /// <summary>
    /// True when every targeted room is a socket id and every excluded room is one too: then each
    /// target gets the frames directly from its distributor. A socket of this backend is known here;
    /// another socket's id names its distributor (<c>&lt;distributorId&gt;.&lt;random&gt;</c>), which must be live.
    /// </summary>
    private bool TryDirectTargets(out List<(string DistributorId, string SocketId)> targets)
    {
        targets = [];
        if (_rooms.Length == 0)
        {
            return false;
        }

        foreach (var room in _rooms)
        {
            if (_namespace.Sockets.TryGetValue(room, out var socket))
            {
                targets.Add((socket.DistributorId, socket.Id));
            }
            else if (DistributorOf(room) is { } distributorId)
            {
                targets.Add((distributorId, room));
            }
            else
            {
                return false;
            }
        }

        foreach (var room in _except)
        {
            if (!_namespace.Sockets.ContainsKey(room) && DistributorOf(room) is null)
            {
                return false;
            }
        }

        targets.RemoveAll(t => Array.IndexOf(_except, t.SocketId) >= 0);
        return true;
    }

    /// <summary>The live distributor a socket id names, or null if <paramref name="room"/> is not such an id.</summary>
    private string? DistributorOf(string room) =>
        OwnerPrefix(room) is { } distributorId && _namespace.Backend.IsLiveDistributor(distributorId) ? distributorId : null;

    /// <summary>What names a socket's distributor if <paramref name="room"/> is a socket id (<c>&lt;distributorId&gt;.&lt;random&gt;</c>); null if it cannot be one.</summary>
    private static string? OwnerPrefix(string room)
    {
        var dot = room.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 || dot > MaxDistributorId || dot == room.Length - 1 ? null : room[..dot];
    }

    /// <summary>The longest distributor id a socket id can start with (as the distributor's session ids).</summary>
    private const int MaxDistributorId = 32;
}
