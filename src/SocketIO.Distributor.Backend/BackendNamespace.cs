using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// A Socket.IO namespace served by this backend (socket.io's <c>Namespace</c>): middleware decides
/// connections, connection handlers set up each socket, and emits reach the namespace's sockets on
/// every distributor. Sockets of other replicas of the namespace are reached the same way.
/// </summary>
public sealed partial class BackendNamespace
{
    private readonly ConcurrentDictionary<string, BackendSocket> _sockets = new(StringComparer.Ordinal);
    private ImmutableArray<Func<BackendSocket, Func<Task>, Task>> _middleware = [];
    private ImmutableArray<Func<BackendSocket, Task>> _connectionHandlers = [];
    private volatile bool _closed;

    internal BackendNamespace(SocketIOBackend backend, string name)
    {
        Backend = backend;
        Name = name;
        NameUtf8 = System.Text.Encoding.UTF8.GetBytes(name);
    }

    /// <summary>The namespace name, such as <c>/</c> or <c>/chat</c>.</summary>
    public string Name { get; }

    /// <summary>The backend serving it.</summary>
    public SocketIOBackend Backend { get; }

    /// <summary>The sockets of this namespace connected to this backend, by id.</summary>
    public IReadOnlyDictionary<string, BackendSocket> Sockets => _sockets;

    /// <summary>A broadcast to every socket of the namespace that may be dropped for clients not ready to take it.</summary>
    public BroadcastOperator Volatile => All.Volatile;

    internal bool IsClosed => _closed;

    /// <summary>The name as UTF-8, to compare with packets.</summary>
    internal ReadOnlyMemory<byte> NameUtf8 { get; }

    private BroadcastOperator All => new(this);

    /// <summary>
    /// Adds a middleware, run for each connection in the order added. Call <c>next</c> to go on;
    /// throw <see cref="ConnectionRejectedException"/> to refuse the connection with a message
    /// (any other exception refuses it with <c>"Internal error"</c> and is logged).
    /// </summary>
    /// <param name="middleware">The middleware.</param>
    /// <returns>This namespace.</returns>
    public BackendNamespace Use(Func<BackendSocket, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        ImmutableInterlocked.Update(ref _middleware, list => list.Add(middleware));
        return this;
    }

    /// <summary>Adds a handler run for each accepted connection, after the client is told it is connected.</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>This namespace.</returns>
    public BackendNamespace OnConnection(Action<BackendSocket> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnConnection(socket =>
        {
            handler(socket);
            return Task.CompletedTask;
        });
    }

    /// <summary>Adds an asynchronous handler run for each accepted connection; the socket's events wait until it completes.</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>This namespace.</returns>
    public BackendNamespace OnConnection(Func<BackendSocket, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _connectionHandlers, list => list.Add(handler));
        return this;
    }

    /// <summary>Emits an event to every socket of the namespace, on every distributor, in one bus message.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    public void Emit(string ev, params object?[] args) => All.Emit(ev, args);

    /// <summary>Targets the sockets in <paramref name="rooms"/> (a union; a socket id is a room of one).</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator To(params string[] rooms) => All.To(rooms);

    /// <summary>Same as <see cref="To"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator In(params string[] rooms) => All.To(rooms);

    /// <summary>Leaves out the sockets in <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator Except(params string[] rooms) => All.Except(rooms);

    /// <summary>The sockets of the namespace on every distributor (socket.io's <c>fetchSockets</c>).</summary>
    /// <returns>The sockets that answered within <see cref="BackendOptions.RemoteQueryTimeout"/>.</returns>
    public Task<IReadOnlyList<RemoteSocket>> FetchSocketsAsync() => All.FetchSocketsAsync();

    /// <summary>Makes every socket of the namespace join <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A task that completes when the distributors answered.</returns>
    public Task SocketsJoinAsync(params string[] rooms) => All.SocketsJoinAsync(rooms);

    /// <summary>Makes every socket of the namespace leave <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A task that completes when the distributors answered.</returns>
    public Task SocketsLeaveAsync(params string[] rooms) => All.SocketsLeaveAsync(rooms);

    /// <summary>Disconnects every socket of the namespace.</summary>
    /// <param name="close">Also close the clients' connections.</param>
    /// <returns>A task that completes when the distributors answered.</returns>
    public Task DisconnectSocketsAsync(bool close = false) => All.DisconnectSocketsAsync(close);

    /// <summary>
    /// Stops serving the namespace: its sockets on this backend are disconnected (their disconnect
    /// handlers run with <c>"server namespace disconnect"</c>) and new connections are refused with
    /// <c>"Invalid namespace"</c>.
    /// </summary>
    /// <returns>A task that completes when the disconnect handlers have run.</returns>
    public async Task CloseAsync()
    {
        _closed = true;
        var sockets = _sockets.Values.ToList();
        foreach (var socket in sockets)
        {
            socket.Disconnect();
            socket.EnqueueDisconnect("server namespace disconnect");
        }

        await Task.WhenAll(sockets.Select(s => s.Disconnected)).ConfigureAwait(false);
    }

    internal void Remove(BackendSocket socket) => _sockets.TryRemove(new KeyValuePair<string, BackendSocket>(socket.Id, socket));

    /// <summary>Forgets every socket (the backend stopped; clients move to another replica); returns how many.</summary>
    internal int ForgetSockets()
    {
        var count = _sockets.Count;
        _sockets.Clear();
        _sessions?.Clear();
        return count;
    }
}
