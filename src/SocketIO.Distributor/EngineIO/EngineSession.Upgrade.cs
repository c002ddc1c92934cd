using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// Upgrade from long-polling to WebSocket: the client opens a WebSocket with the session id, sends
/// <c>2probe</c> (answered <c>3probe</c>), the pending poll is released with a noop, and the client's
/// <c>5</c> switches the session's transport; queued frames then flow over the WebSocket.
/// </summary>
public sealed partial class EngineSession
{
    private WebSocketTransport? _upgrading;
    private bool _upgradeReserved;
    private ITimer? _upgradeTimer;

    /// <summary>True while a WebSocket is being accepted for, or probing, this polling session.</summary>
    internal bool IsUpgrading
    {
        get
        {
            lock (_gate)
            {
                return _upgrading is not null || _upgradeReserved;
            }
        }
    }

    /// <summary>
    /// A WebSocket request for this session arrived: reserve the upgrade before its handshake is
    /// answered, so that any request the client sends once it has the 101 sees the upgrade under way.
    /// False if an upgrade is not possible now (the WebSocket is then accepted and closed).
    /// </summary>
    internal bool TryReserveUpgrade()
    {
        lock (_gate)
        {
            if (_state != SessionState.Open || _upgrading is not null || _upgradeReserved || _transport is not PollingTransport)
            {
                return false;
            }

            _upgradeReserved = true;
            return true;
        }
    }

    /// <summary>The reserved WebSocket could not be accepted.</summary>
    internal void ReleaseUpgradeReservation()
    {
        lock (_gate)
        {
            _upgradeReserved = false;
        }
    }

    /// <summary>The accepted WebSocket of a reservation takes over the upgrade. Returns false if that is not allowed any more.</summary>
    internal bool TryBeginUpgrade(WebSocketTransport candidate, TimeProvider time)
    {
        lock (_gate)
        {
            var reserved = _upgradeReserved;
            _upgradeReserved = false;
            if (!reserved || _state != SessionState.Open || _upgrading is not null || _transport is not PollingTransport)
            {
                return false;
            }

            _upgrading = candidate;
        }

        _upgradeTimer = time.CreateTimer(
            static s => ((EngineSession)s!).OnUpgradeTimeout(),
            this,
            _options.UpgradeTimeout,
            Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>The probe was answered: release the pending poll so the client can send <c>5</c>.</summary>
    internal void OnProbed()
    {
        if (_transport is PollingTransport polling)
        {
            polling.ReleaseWithNoop();
        }
    }

    /// <summary>
    /// The client sent <c>5</c> on the probing WebSocket: it becomes the session's transport. False if
    /// the upgrade was abandoned meanwhile (timeout, or the session closed): the candidate must go.
    /// </summary>
    internal bool CompleteUpgrade(WebSocketTransport next)
    {
        EngineTransport previous;
        lock (_gate)
        {
            if (!ReferenceEquals(_upgrading, next) || _state != SessionState.Open)
            {
                return false;
            }

            _upgrading = null;
            previous = _transport;

            // Swapped under the lock that checks the state, so a close cannot slip in between.
            _transport = next;
        }

        _upgradeTimer?.Dispose();
        next.EndProbe();
        if (previous is PollingTransport polling)
        {
            polling.Discard();
        }

        next.OnFramesQueued();
        return true;
    }

    /// <summary>The probing WebSocket went away before the upgrade completed: keep polling.</summary>
    internal void CancelUpgrade(WebSocketTransport candidate)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_upgrading, candidate))
            {
                return;
            }

            _upgrading = null;
        }

        _upgradeTimer?.Dispose();
        (_transport as PollingTransport)?.EndRelease();
    }

    private void OnUpgradeTimeout()
    {
        WebSocketTransport? candidate;
        lock (_gate)
        {
            candidate = _upgrading;
            _upgrading = null;
        }

        (_transport as PollingTransport)?.EndRelease();
        candidate?.Close(flush: false);
    }

    private void AbortUpgrade()
    {
        WebSocketTransport? candidate;
        lock (_gate)
        {
            candidate = _upgrading;
            _upgrading = null;
        }

        _upgradeTimer?.Dispose();
        candidate?.Close(flush: false);
    }
}
