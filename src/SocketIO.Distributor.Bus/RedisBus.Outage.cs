using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Outage tracking: which connections to Redis are broken, since when, and the bounded buffer of
/// publishes held until the connection is back (sent in order; what does not fit is dropped and counted).
/// </summary>
public sealed partial class RedisBus
{
    /// <summary>How often StackExchange.Redis checks its connections and retries a lost one (ms).</summary>
    private const int ReconnectIntervalMilliseconds = 500;

    /// <summary>The longest a stop waits for one Redis round trip (leaving, unsubscribing): Redis may be gone.</summary>
    internal static readonly TimeSpan StopStepTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How often the actual state of broken connections is checked during an outage.</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time;
    private readonly Lock _outageGate = new();
    private readonly Dictionary<(string Endpoint, ConnectionType Type), System.Net.EndPoint?> _broken = [];
    private ITimer? _recheck;
    private readonly HeldMessages _held = new();
    private long _publishTickets;
    private int _countedPublishesInFlight;
    private long _outageStartedAt;
    private volatile bool _holding;
    private bool _flushing;
    private bool _droppedThisOutage;
    private long _droppedInOutage;
    private long _connectionEpoch;
    private long _heldInOutage;

    /// <summary>The connection to Redis was lost (raised once per outage, on a library thread: do not block).</summary>
    public event Action? ConnectionLost;

    /// <summary>Every connection to Redis is back and subscriptions are restored (raised once per outage; do not block).</summary>
    public event Action? ConnectionRestored;

    /// <summary>
    /// How many subscribers a broadcast channel has when every process is subscribed (0 when unknown,
    /// the default). In the settling period after a reconnect, a held message for a channel Redis counts
    /// fewer subscribers on (<c>PUBSUB NUMSUB</c>) waits for them, up to the end of the period, so that
    /// processes that re-subscribe a moment later still receive it. Inbox channels always expect one.
    /// </summary>
    public Func<string, int>? ExpectedSubscribers { get; set; }

    /// <summary>True unless a connection to Redis is broken now.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_outageGate)
            {
                return _broken.Count == 0;
            }
        }
    }

    /// <summary>Changes whenever a connection to Redis is lost or restored: a reader that saw it change during a read knows the read may have met an empty, restarted Redis.</summary>
    public long ConnectionEpoch => Interlocked.Read(ref _connectionEpoch);

    /// <summary>True while publishes go to the outage buffer: the connection that publishes is down, or the held messages are still being sent after it came back.</summary>
    public bool PublishesHeld => _holding;

    /// <summary>How long the current outage has lasted; zero when connected.</summary>
    public TimeSpan OutageDuration
    {
        get
        {
            var startedAt = Interlocked.Read(ref _outageStartedAt);
            return startedAt == 0 ? TimeSpan.Zero : _time.GetElapsedTime(startedAt);
        }
    }

    /// <summary>Messages dropped because the outage buffer was full (or discarded at stop), since start.</summary>
    public long MessagesDroppedInOutage => Interlocked.Read(ref _droppedInOutage);

    /// <summary>Messages held during outages (published after the reconnect unless dropped), since start.</summary>
    public long MessagesHeldInOutage => Interlocked.Read(ref _heldInOutage);

    /// <summary>Messages waiting in the outage buffer now.</summary>
    public int MessagesWaiting
    {
        get
        {
            lock (_outageGate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>The next publish's place in this process's publish order (see <see cref="HeldMessages"/>).</summary>
    private long NextTicket() => Interlocked.Increment(ref _publishTickets);

    /// <summary>Holds the message if publishes are being held (an outage, or the buffer is being sent).</summary>
    private bool TryHold(string channel, byte[] message, long ticket = 0)
    {
        if (!_holding)
        {
            return false;
        }

        lock (_outageGate)
        {
            if (!_holding)
            {
                return false;
            }

            HoldLocked(new HeldMessage(channel, message, ticket == 0 ? NextTicket() : ticket), inOrder: false);
            return true;
        }
    }

    /// <summary>A publish failed for want of a connection: hold it and everything after it until the reconnect.</summary>
    private void HoldAfterFailure(string channel, byte[] message) => HoldAgain(new HeldMessage(channel, message, NextTicket()), inOrder: false);

    /// <summary>
    /// Holds a message and everything published after it: one that failed now, or (<paramref name="inOrder"/>)
    /// one published earlier that reached nobody on a new connection, which goes in front of its channel's
    /// messages held since.
    /// </summary>
    private void HoldAgain(HeldMessage held, bool inOrder)
    {
        bool flush;
        lock (_outageGate)
        {
            _holding = true;
            HoldLocked(held, inOrder);

            // If the connection came back between the failure and now, nothing else will start the flush.
            flush = !PublishingBrokenLocked() && !_flushing && _connection.IsConnected;
            _flushing |= flush;
        }

        if (flush)
        {
            _ = FlushHeldAsync();
        }
    }

    private void HoldLocked(HeldMessage held, bool inOrder)
    {
        if (_held.Count >= Options.MaxOutageBufferMessages || _held.Bytes + held.Message.Length > Options.MaxOutageBufferBytes)
        {
            Interlocked.Increment(ref _droppedInOutage);
            BusMetrics.OutageDropped.Add(1);
            if (!_droppedThisOutage)
            {
                _droppedThisOutage = true;
                Log.OutageBufferFull(_logger, Options.MaxOutageBufferMessages, Options.MaxOutageBufferBytes);
            }

            return;
        }

        if (inOrder)
        {
            _held.AddInOrder(held);
        }
        else
        {
            _held.Add(held);
        }

        Interlocked.Increment(ref _heldInOutage);
        BusMetrics.OutageHeld.Add(1);
    }

    private void OnConnectionBroken(System.Net.EndPoint? endPoint, ConnectionType type)
    {
        var endpoint = endPoint?.ToString() ?? "?";
        bool first;
        Interlocked.Increment(ref _connectionEpoch);
        lock (_outageGate)
        {
            first = _broken.Count == 0;
            _broken[(endpoint, type)] = endPoint;

            // The library raises its events on the thread pool, so "restored" may come before "failed":
            // the actual state is checked again until every connection is back.
            _recheck ??= _time.CreateTimer(static s => ((RedisBus)s!).RecheckBroken(), this, RecheckPeriod, RecheckPeriod);

            // Publishes go over the interactive connection: a lost subscription connection alone (Redis
            // dropping a slow subscriber) loses incoming messages (counted by the receivers), not outgoing ones.
            _holding |= type != ConnectionType.Subscription;
            if (first)
            {
                _droppedThisOutage = false;
                Interlocked.Exchange(ref _outageStartedAt, _time.GetTimestamp());
            }
        }

        if (first)
        {
            Raise(ConnectionLost);
        }
    }

    private void OnConnectionMended(System.Net.EndPoint? endPoint, ConnectionType type) => OnConnectionMended(endPoint?.ToString() ?? "?", type);

    /// <summary>Marks as mended every broken connection that is in fact connected again (events can arrive out of order).</summary>
    private void RecheckBroken()
    {

        RefreshTopologyIfDue();
        List<(string Endpoint, ConnectionType Type)> mended;
        lock (_outageGate)
        {
            mended = [.. _broken.Where(b => IsUp(b.Value, b.Key.Type)).Select(b => b.Key)];
        }

        foreach (var (endpoint, type) in mended)
        {
            OnConnectionMended(endpoint, type);
        }
    }

    private bool IsUp(System.Net.EndPoint? endPoint, ConnectionType type)
    {
        if (ServesNoSlot(endPoint))
        {
            // A cluster node whose slots another master serves now (a failover): no part of the outage.
            return true;
        }

        try
        {
            return type == ConnectionType.Subscription
                ? _subscriber.IsConnected()
                : endPoint is null ? _connection.IsConnected : _connection.GetServer(endPoint).IsConnected;
        }
        catch (Exception ex) when (ex is RedisException or ArgumentException or ObjectDisposedException)
        {
            return false;
        }
    }

    private void OnConnectionMended(string endpoint, ConnectionType type)
    {
        bool over;
        bool startFlush;
        Interlocked.Increment(ref _connectionEpoch);
        lock (_outageGate)
        {
            if (!_broken.Remove((endpoint, type)))
            {
                return;
            }

            if (_broken.Count == 0)
            {
                _recheck?.Dispose();
                _recheck = null;
            }

            over = _broken.Count == 0 && Interlocked.Read(ref _outageStartedAt) != 0;
            // Once every connection is back (this process's own subscriptions too).
            startFlush = _holding && _broken.Count == 0 && !_flushing;
            _flushing |= startFlush;
        }

        if (!over)
        {
            if (startFlush)
            {
                _ = FlushHeldAsync();
            }

            return;
        }

        var duration = OutageDuration;
        Interlocked.Exchange(ref _outageStartedAt, 0);
        Log.OutageOver(_logger, duration.TotalSeconds, MessagesWaiting, MessagesDroppedInOutage);
        if (startFlush)
        {
            _ = FlushHeldAsync();
        }

        Raise(ConnectionRestored);
    }

    /// <summary>PUBLISH counts every subscriber on a single Redis; on a cluster only the receiving node's (SPUBLISH: the owning master's, which is all of them).</summary>
    private bool ReceiverCountsReliable() => CountsCoverEveryone;

    /// <summary>True if a connection that publishes (not the subscription connection) is broken; call under the gate.</summary>
    private bool PublishingBrokenLocked() => _broken.Keys.Any(b => b.Type != ConnectionType.Subscription);

    /// <summary>Empties the buffer (the process stops); returns how many messages were discarded, counted as dropped.</summary>
    private int DiscardHeld()
    {
        lock (_outageGate)
        {
            _recheck?.Dispose();
            _recheck = null;
            var count = _held.Clear();
            _holding = false;
            Interlocked.Add(ref _droppedInOutage, count);
            BusMetrics.OutageDropped.Add(count);
            return count;
        }
    }

    private void Raise(Action? handlers)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action>())
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                BusMetrics.HandlerErrors.Add(1);
                Log.ConnectionHandlerFailed(_logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "Sending the publishes held during the outage failed ({Reason}) although every connection is up; trying again")]
        public static partial void FlushRetried(ILogger logger, string reason);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "The outage buffer is full ({Messages} messages or {Bytes} bytes): further messages are dropped and counted until Redis is back")]
        public static partial void OutageBufferFull(ILogger logger, int messages, long bytes);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Redis outage over after {Seconds:0.0} s: sending {Waiting} held message(s); {Dropped} dropped in outages so far")]
        public static partial void OutageOver(ILogger logger, double seconds, int waiting, long dropped);

        [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Sent {Count} message(s) held during the Redis outage")]
        public static partial void HeldSent(ILogger logger, int count);

        [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Stopping with {Count} message(s) still held for an unreachable Redis: dropped")]
        public static partial void HeldDiscarded(ILogger logger, int count);

        [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Closing the Redis connection failed (Redis is unreachable): {Reason}")]
        public static partial void CloseFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "A handler of a Redis connection event failed")]
        public static partial void ConnectionHandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "Sending the messages held during a Redis outage failed; they stay held")]
        public static partial void FlushFailed(ILogger logger, Exception exception);
    }
}
