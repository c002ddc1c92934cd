namespace SocketIO.Distributor.Backend;

/// <summary>Connection state recovery of one socket: its session id, and waiting instead of disconnecting.</summary>
public sealed partial class BackendSocket
{
    private volatile string? _pid;

    /// <summary>The session's private id sent to the client in CONNECT (null when the namespace does not recover sessions, or for EIO3 clients).</summary>
    internal string? Pid => _pid;

    /// <summary>The offset taken when the socket connected: a client that got no event yet recovers from there.</summary>
    internal string ConnectOffset { get; private set; } = string.Empty;

    /// <summary>Gives the socket a recovery session.</summary>
    internal void StartSession(string pid, string connectOffset)
    {
        ConnectOffset = connectOffset;
        _pid = pid;
    }

    /// <summary>The socket comes back on <paramref name="distributorId"/>: it is served there from now on.</summary>
    internal void Resume(string distributorId)
    {
        DistributorId = distributorId;
        Recovered = true;
        _leaving = false;
    }

    /// <summary>Disconnects for good: the disconnect handlers run once, after the queued events.</summary>
    internal void DisconnectNow(string reason)
    {
        _leaving = true;
        Enqueue(() => OnDisconnected(reason), force: true);
    }

    /// <summary>
    /// When the namespace recovers sessions and the reason allows it, the socket waits to be recovered
    /// instead of disconnecting (its disconnect handlers run only if it is not recovered in time).
    /// </summary>
    private bool TryHoldForRecovery(string reason)
    {
        var sessions = Namespace.Sessions;
        if (sessions is null || _pid is null || !RecoverySessions.IsRecoverable(reason))
        {
            return false;
        }

        _leaving = true;
        var distributorId = DistributorId;
        Enqueue(
            () =>
            {
                sessions.Hold(this, reason, distributorId);
                return Task.CompletedTask;
            },
            force: true);
        return true;
    }

    /// <summary>Undoes <see cref="TryHoldForRecovery"/> when the socket had moved on meanwhile.</summary>
    internal void CancelLeaving() => _leaving = false;

    /// <summary>True while the socket is open (accepted, its disconnect handlers not run).</summary>
    internal bool IsOpen => System.Threading.Volatile.Read(ref _state) == Open;
}
