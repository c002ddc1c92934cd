using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Backend;

/// <summary>Connection state recovery of the namespace.</summary>
public sealed partial class BackendNamespace
{
    private RecoverySessions? _sessions;

    /// <summary>The recovery options in force; null when the namespace does not recover sessions.</summary>
    public ConnectionStateRecovery? ConnectionStateRecovery => _sessions?.Log.Options;

    /// <summary>Counts of held, restored, refused and expired sessions; null when the namespace does not recover sessions.</summary>
    public RecoveryStatistics? RecoveryStatistics => _sessions?.Statistics;

    /// <summary>Sockets whose client left and that wait to be recovered.</summary>
    public int WaitingSockets => _sessions?.Count ?? 0;

    internal RecoverySessions? Sessions => _sessions;

    /// <summary>The replay log; null when the namespace does not recover sessions.</summary>
    internal RecoveryLog? ReplayLog => _sessions?.Log;

    /// <summary>
    /// Turns on connection state recovery (socket.io 4.6's <c>connectionStateRecovery</c>): every
    /// emit to clients that is not volatile and awaits no ack carries an offset and is kept in Redis;
    /// a socket whose client leaves waits <see cref="ConnectionStateRecovery.MaxDisconnectionDuration"/>
    /// instead of disconnecting, and a client that comes back in time, on any distributor, gets the
    /// same socket (<see cref="BackendSocket.Recovered"/>: same id, rooms and data, no new connection
    /// handler run, no disconnect) and the events it missed. Call before the backend starts.
    /// </summary>
    /// <param name="options">The options; the defaults when null.</param>
    /// <returns>This namespace.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message says what to fix.</exception>
    public BackendNamespace UseConnectionStateRecovery(ConnectionStateRecovery? options = null)
    {
        options ??= new ConnectionStateRecovery();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid connection state recovery options of namespace {Name}: " + string.Join(" ", problems), nameof(options));
        }

        _sessions = new RecoverySessions(this, new RecoveryLog(this, options));
        return this;
    }

    /// <summary>Gives an accepted socket its session; returns its pid, or empty when it gets none (recovery off, EIO3 client).</summary>
    internal string StartSession(BackendSocket socket)
    {
        if (_sessions is null || (socket.Handshake.Query.TryGetValue("EIO", out var eio) && eio == "3"))
        {
            return string.Empty;
        }

        var pid = _sessions.NewPid(socket.Id);
        socket.StartSession(pid, _sessions.Log.NextOffset());
        return pid;
    }

    /// <summary>The socket, waiting or still open, whose session has that pid; null if none here.</summary>
    internal BackendSocket? FindRecoverable(string socketId, string pid)
    {
        var socket = _sessions?.Find(socketId) ?? (_sockets.TryGetValue(socketId, out var open) ? open : null);
        return socket is not null && socket.Pid == pid ? socket : null;
    }

    /// <summary>
    /// Accepts a socket restored from its session in Redis (its replica is gone): middleware only when
    /// <see cref="ConnectionStateRecovery.SkipMiddlewares"/> is false, the distributor is told its rooms
    /// and offset, then the connection handlers run (<see cref="BackendSocket.Recovered"/> is true).
    /// </summary>
    internal async Task ConnectRestoredAsync(BackendSocket socket, string replayFrom)
    {
        var rejection = _sessions!.Log.Options.SkipMiddlewares ? null : await RunMiddlewareAsync(socket).ConfigureAwait(false);
        if (rejection is not null || _closed)
        {
            socket.MarkRejected();
            Backend.ForgetSocket(socket);
            Backend.RejectConnect(socket.DistributorId, socket.Id, Name, rejection?.Message ?? "Invalid namespace", rejection?.ErrorData);
            return;
        }

        _sockets[socket.Id] = socket;
        socket.MarkConnected();
        BackendMetrics.Connects.Add(1);
        BackendMetrics.Sockets.Add(1);
        _sessions.Statistics.OnRestored();
        RecoveryEvents.SessionRestored(Backend.Logger, socket.Id, Name, socket.DistributorId);
        var router = Backend.Router;
        router.Publish(
            router.Channels.Distributor(socket.DistributorId),
            new ConnectResult(socket.Id, Backend.Id, true, ReadOnlyMemory<byte>.Empty, socket.Pid!, [.. socket.Rooms], replayFrom));
        foreach (var handler in _connectionHandlers)
        {
            try
            {
                await handler(socket).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                BackendMetrics.HandlerErrors.Add(1);
                BackendLog.ConnectionHandlerFailed(Backend.Logger, ex, Name, socket.Id);
            }
        }
    }

    /// <summary>
    /// A distributor that still holds the client re-attaches a socket that waits to be recovered (it
    /// had been taken for dead): it resumes there, nothing to replay (runs on the socket's queue).
    /// </summary>
    internal void Reattach(BackendSocket socket, ConnectRequest request, Action otherwise)
    {
        if (!_sessions!.TryTake(socket, out _) && !(socket.IsOpen && !socket.IsLeaving))
        {
            otherwise();
            return;
        }

        socket.Resume(request.DistributorId);
        Backend.AdoptSocket(socket);
        _sockets[socket.Id] = socket;
        var router = Backend.Router;
        router.Publish(router.Channels.Distributor(request.DistributorId), new ConnectResult(socket.Id, Backend.Id, true, ReadOnlyMemory<byte>.Empty, socket.Pid ?? string.Empty));
    }

    /// <summary>
    /// Recovers <paramref name="socket"/> for a client that came back (runs on the socket's queue):
    /// when the replay log still holds everything after the client's offset, the socket is served by
    /// the new distributor from now on and the distributor is told its rooms and offset; otherwise the
    /// old socket disconnects (its handlers run once) and the client connects as a new socket.
    /// </summary>
    internal async Task RecoverAsync(BackendSocket socket, ConnectRequest request, string? clientOffset, Action connectAsNew)
    {
        var sessions = _sessions!;
        var previous = socket.DistributorId;
        var waited = sessions.TryTake(socket, out var reason);
        if (!waited && !socket.IsOpen)
        {
            // Expired meanwhile.
            connectAsNew();
            return;
        }

        if (!waited)
        {
            // Still open here: the old connection is half-open (its distributor has not noticed, or died unnoticed yet).
            reason = "transport close";
        }

        var from = clientOffset is not null && RecoveryOffset.TryScore(clientOffset, out _) ? clientOffset : socket.ConnectOffset;
        RecoveryOffset.TryScore(from, out var score);
        bool covered;
        try
        {
            covered = await sessions.Log.CoversAsync(score).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            covered = false;
        }

        var rejection = covered && !sessions.Log.Options.SkipMiddlewares ? await RunMiddlewareAsync(socket).ConfigureAwait(false) : null;
        var router = Backend.Router;
        if (!waited && previous != request.DistributorId)
        {
            router.SendCommand(previous, socket.Id, SocketCommandKind.Disconnect, [], close: false);
        }

        if (!covered || rejection is not null)
        {
            if (!covered)
            {
                sessions.Statistics.OnRefused();
                RecoveryEvents.RecoveryRefused(Backend.Logger, socket.Id, Name, "the replay log no longer holds what it missed");
            }

            // The old socket is gone for good: its disconnect handlers run once, and the client connects anew.
            Backend.ForgetSocket(socket);
            Remove(socket);
            socket.DisconnectNow(reason);
            if (rejection is not null)
            {
                Backend.RejectConnect(request.DistributorId, socket.Id, Name, rejection.Message, rejection.ErrorData);
            }
            else
            {
                connectAsNew();
            }

            return;
        }

        socket.Resume(request.DistributorId);
        Backend.AdoptSocket(socket);
        _sockets[socket.Id] = socket;
        sessions.Statistics.OnRestored();
        RecoveryEvents.SessionRestored(Backend.Logger, socket.Id, Name, request.DistributorId);
        router.Publish(
            router.Channels.Distributor(request.DistributorId),
            new ConnectResult(socket.Id, Backend.Id, true, ReadOnlyMemory<byte>.Empty, socket.Pid!, [.. socket.Rooms], from));
    }
}
