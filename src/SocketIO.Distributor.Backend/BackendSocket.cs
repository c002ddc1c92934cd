using System.Collections.Concurrent;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// A client's connection to a namespace, as this backend serves it (socket.io's <c>Socket</c>).
/// The client is held by a distributor (<see cref="DistributorId"/>); everything sent to it goes
/// there in one bus message. Handlers of one socket start one at a time, in order of arrival; an async handler's awaits do not hold up the next event.
/// </summary>
public sealed partial class BackendSocket
{
    /// <summary>The most events that may wait for a socket's handlers; beyond, the socket is disconnected.</summary>
    internal const int MaxQueuedEvents = 1_000;

    private const int Connecting = 0;
    private const int Open = 1;
    private const int Closed = 2;

    private readonly SocketIOBackend _backend;
    private readonly HandlerQueue _queue;

    /// <summary>Created by the first emit that awaits an answer: most sockets never await one.</summary>
    private PendingAcks? _acks;
    private SocketData? _data;

    /// <summary>The socket's rooms; also the lock that guards them (no lock object of its own per socket).</summary>
    private readonly HashSet<string> _rooms;

    /// <summary>Created when something first waits for the disconnection (a drain, a reconcile): most sockets never are.</summary>
    private TaskCompletionSource? _disconnected;

    /// <summary>1 once the disconnect handlers have run (or the connection was refused).</summary>
    private int _disconnectedDone;
    private int _state;
    private volatile bool _leaving;

    internal BackendSocket(SocketIOBackend backend, BackendNamespace nsp, string id, string distributorId, SocketHandshake handshake, bool recovered)
    {
        _backend = backend;
        Namespace = nsp;
        Id = id;
        DistributorId = distributorId;
        Handshake = handshake;
        Recovered = recovered;
        _rooms = new HashSet<string>(StringComparer.Ordinal) { id };
        if (recovered)
        {
            // A move from another replica hands over rooms and data (reading them parses the handshake,
            // which a fresh socket leaves as bytes until something reads it).
            _rooms.UnionWith(handshake.MovedRooms);
            if (handshake.Data is not null)
            {
                _ = Data;
            }
        }

        ConnectedAt = backend.Time.GetTimestamp();
        _queue = new HandlerQueue(MaxQueuedEvents, static (ex, socket) => ((BackendSocket)socket!).OnQueueItemFailed(ex), this);
    }

    /// <summary>When this backend learned of the socket (a <see cref="TimeProvider"/> timestamp).</summary>
    internal long ConnectedAt { get; }

    /// <summary>The socket id (also the name of a room holding only this socket).</summary>
    public string Id { get; }

    /// <summary>The namespace.</summary>
    public BackendNamespace Namespace { get; }

    /// <summary>The distributor holding the client (another one after a connection state recovery).</summary>
    public string DistributorId { get; private set; }

    /// <summary>What the client sent when it connected.</summary>
    public SocketHandshake Handshake { get; }

    /// <summary>
    /// True if the socket was already connected: it moved here from a backend that stopped, or its
    /// client came back within the namespace's <see cref="ConnectionStateRecovery"/> (same id, rooms and data).
    /// </summary>
    public bool Recovered { get; private set; }

    /// <summary>
    /// Application data attached to the socket (socket.io's <c>socket.data</c>). Thread-safe. Its changes are sent to
    /// the socket's distributor (one message per burst of writes, the whole data as JSON), which keeps a copy: a
    /// <see cref="RemoteSocket"/> fetched on any replica has it, and it moves with the socket to another replica
    /// (where values arrive as <see cref="System.Text.Json.JsonElement"/>s).
    /// </summary>
    public IDictionary<string, object?> Data =>
        _data ?? Interlocked.CompareExchange(ref _data, CreateData(), null) ?? _data!;

    /// <summary>The acknowledgements this socket awaits (created on first use).</summary>
    private PendingAcks Acks =>
        _acks ?? Interlocked.CompareExchange(ref _acks, new PendingAcks(_backend.Time), null) ?? _acks!;

    /// <summary>Created on first use (most sockets never touch their data); restored from a move's handshake.</summary>
    private SocketData CreateData()
    {
        var data = new SocketData(OnDataChanged);
        if (Recovered && Handshake.Data is { } restored)
        {
            data.Restore(restored);
        }

        return data;
    }

    /// <summary>True from acceptance until the disconnect handlers run.</summary>
    public bool Connected => System.Threading.Volatile.Read(ref _state) == Open;

    /// <summary>
    /// The rooms the socket is in (its own id included), as its distributor keeps them: this backend's own joins
    /// and leaves at once, those made by another backend replica or a remote query when the distributor reports them.
    /// </summary>
    public IReadOnlySet<string> Rooms
    {
        get
        {
            lock (_rooms)
            {
                return new HashSet<string>(_rooms, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Emits that may be dropped when the client cannot take them now.</summary>
    public SocketEmitter Volatile => new(this, EmitFlags.Volatile);

    /// <summary>A broadcast to every other socket of the namespace (socket.io's <c>socket.broadcast</c>).</summary>
    public BroadcastOperator Broadcast => new BroadcastOperator(Namespace).Except(Id);

    /// <summary>Completes once the disconnect handlers have run (or the connection was refused).</summary>
    internal Task Disconnected
    {
        get
        {
            var disconnected = _disconnected;
            if (disconnected is null)
            {
                // A full fence on both sides (this exchange, SetDisconnected's): one of them sees the other.
                Interlocked.CompareExchange(ref _disconnected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
                disconnected = _disconnected!;
            }

            if (System.Threading.Volatile.Read(ref _disconnectedDone) == 1)
            {
                disconnected.TrySetResult();
            }

            return disconnected.Task;
        }
    }

    /// <summary>Completes <see cref="Disconnected"/>, whether or not anything waits for it yet.</summary>
    private void SetDisconnected()
    {
        Interlocked.Exchange(ref _disconnectedDone, 1);
        System.Threading.Volatile.Read(ref _disconnected)?.TrySetResult();
    }

    private BackendRouter Router => _backend.Router;

    /// <summary>A work item of the socket's queue threw.</summary>
    private void OnQueueItemFailed(Exception ex) => BackendLog.QueueItemFailed(_backend.Logger, ex, Id);

    /// <summary>Emits an event to this socket's client.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments; <see cref="byte"/> arrays become binary attachments, and a lone
    /// <see cref="SocketArguments"/> is sent unchanged.</param>
    public void Emit(string ev, params object?[] args) => Send(ev, args, EmitFlags.None);

    /// <summary>Targets the sockets in <paramref name="rooms"/>, leaving this one out.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator To(params string[] rooms) => Broadcast.To(rooms);

    /// <summary>Same as <see cref="To"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator In(params string[] rooms) => Broadcast.To(rooms);

    /// <summary>Targets every other socket of the namespace except those in <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator Except(params string[] rooms) => Broadcast.Except(rooms);

    /// <summary>Joins rooms without waiting: broadcasts to them reach the socket shortly after.</summary>
    /// <param name="rooms">The rooms.</param>
    public void Join(params string[] rooms)
    {
        UpdateRooms(BroadcastOperator.CheckRooms(rooms), join: true);
        Router.SendCommand(DistributorId, Id, SocketCommandKind.Join, rooms, close: false);
    }

    /// <summary>Joins rooms and waits until the distributor confirms: from then on, broadcasts to them reach the socket.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A task that completes once the join took effect.</returns>
    /// <exception cref="TimeoutException">The distributor did not confirm within <see cref="BackendOptions.CommandTimeout"/>.</exception>
    public Task JoinAsync(params string[] rooms)
    {
        UpdateRooms(BroadcastOperator.CheckRooms(rooms), join: true);
        return Router.CommandAsync(DistributorId, Id, SocketCommandKind.Join, rooms, close: false, _backend.Options.CommandTimeout);
    }

    /// <summary>Leaves rooms without waiting.</summary>
    /// <param name="rooms">The rooms.</param>
    public void Leave(params string[] rooms)
    {
        UpdateRooms(BroadcastOperator.CheckRooms(rooms), join: false);
        Router.SendCommand(DistributorId, Id, SocketCommandKind.Leave, rooms, close: false);
    }

    /// <summary>Leaves rooms and waits until the distributor confirms.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A task that completes once the leave took effect.</returns>
    /// <exception cref="TimeoutException">The distributor did not confirm within <see cref="BackendOptions.CommandTimeout"/>.</exception>
    public Task LeaveAsync(params string[] rooms)
    {
        UpdateRooms(BroadcastOperator.CheckRooms(rooms), join: false);
        return Router.CommandAsync(DistributorId, Id, SocketCommandKind.Leave, rooms, close: false, _backend.Options.CommandTimeout);
    }

    /// <summary>
    /// Disconnects the socket from the namespace. The disconnect handlers run when the distributor
    /// confirms, with the reason <c>"server namespace disconnect"</c>.
    /// </summary>
    /// <param name="close">Also close the client's whole connection (every namespace).</param>
    public void Disconnect(bool close = false) => Router.SendCommand(DistributorId, Id, SocketCommandKind.Disconnect, [], close);

    /// <summary>Sends an event with the given flags.</summary>
    internal void Send(string ev, object?[]? args, EmitFlags flags)
    {
        NotifyOutgoing(ev, args);
        var payload = _backend.Codec.EncodeEvent(ev, args);
        if (Namespace.ReplayLog is { } replay && (flags & EmitFlags.Volatile) == 0)
        {
            replay.Emit(payload, [Id], [], flags);
            return;
        }

        Router.SendToSocket(DistributorId, Id, flags, payload.EventFrames(Namespace.Name, -1));
    }

    /// <summary>Runs work on this socket's queue.</summary>
    internal bool Enqueue(Func<Task> work, bool force = false) => _queue.TryEnqueue(work, force);

    internal void MarkConnected() => Interlocked.CompareExchange(ref _state, Open, Connecting);

    internal void MarkRejected()
    {
        Interlocked.Exchange(ref _state, Closed);
        Acks.Close(new InvalidOperationException($"Socket {Id} was not accepted."));
        SetDisconnected();
    }

    /// <summary>True once the socket's disconnection is queued or done: the backend no longer counts it as held.</summary>
    internal bool IsLeaving => _leaving || System.Threading.Volatile.Read(ref _state) == Closed;

    /// <summary>Queues the disconnection: after the events already queued, the disconnect handlers run once.</summary>
    internal void EnqueueDisconnect(string reason)
    {
        if (TryHoldForRecovery(reason))
        {
            return;
        }

        _leaving = true;
        Enqueue(() => OnDisconnected(reason), force: true);
    }

    /// <summary>Replaces the known rooms with what a distributor reported.</summary>
    internal void ReplaceRooms(IEnumerable<string> rooms)
    {
        lock (_rooms)
        {
            _rooms.Clear();
            _rooms.Add(Id);
            _rooms.UnionWith(rooms);
        }
    }

    private void UpdateRooms(string[] rooms, bool join)
    {
        lock (_rooms)
        {
            foreach (var room in rooms)
            {
                if (join)
                {
                    _rooms.Add(room);
                }
                else
                {
                    _rooms.Remove(room);
                }
            }
        }
    }
}
