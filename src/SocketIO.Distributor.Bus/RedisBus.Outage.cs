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

    private readonly TimeProvider _time;
    private readonly Lock _outageGate = new();
    private readonly HashSet<(string Endpoint, ConnectionType Type)> _broken = [];
    private readonly LinkedList<(string Channel, byte[] Message)> _held = new();
    private long _heldBytes;
    private long _outageStartedAt;
    private volatile bool _holding;
    private bool _flushing;
    private bool _droppedThisOutage;
    private long _droppedInOutage;
    private long _heldInOutage;

    /// <summary>The connection to Redis was lost (raised once per outage, on a library thread: do not block).</summary>
    public event Action? ConnectionLost;

    /// <summary>Every connection to Redis is back and subscriptions are restored (raised once per outage; do not block).</summary>
    public event Action? ConnectionRestored;

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

    /// <summary>Holds the message if publishes are being held (an outage, or the buffer is being sent).</summary>
    private bool TryHold(string channel, byte[] message)
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

            HoldLocked(channel, message);
            return true;
        }
    }

    /// <summary>A publish failed for want of a connection: hold it and everything after it until the reconnect.</summary>
    private void HoldAfterFailure(string channel, byte[] message)
    {
        bool flush;
        lock (_outageGate)
        {
            _holding = true;
            HoldLocked(channel, message);

            // If the connection came back between the failure and now, nothing else will start the flush.
            flush = _broken.Count == 0 && !_flushing && _connection.IsConnected;
            _flushing |= flush;
        }

        if (flush)
        {
            _ = FlushHeldAsync();
        }
    }

    private void HoldLocked(string channel, byte[] message)
    {
        if (_held.Count >= Options.MaxOutageBufferMessages || _heldBytes + message.Length > Options.MaxOutageBufferBytes)
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

        _held.AddLast((channel, message));
        _heldBytes += message.Length;
        Interlocked.Increment(ref _heldInOutage);
        BusMetrics.OutageHeld.Add(1);
    }

    private void OnConnectionBroken(string endpoint, ConnectionType type)
    {
        bool first;
        lock (_outageGate)
        {
            first = _broken.Count == 0;
            _broken.Add((endpoint, type));
            _holding = true;
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

    private void OnConnectionMended(string endpoint, ConnectionType type)
    {
        bool over;
        lock (_outageGate)
        {
            _broken.Remove((endpoint, type));
            over = _broken.Count == 0 && Interlocked.Read(ref _outageStartedAt) != 0;
            if (over)
            {
                _flushing = true;
            }
        }

        if (!over)
        {
            return;
        }

        var duration = OutageDuration;
        Interlocked.Exchange(ref _outageStartedAt, 0);
        Log.OutageOver(_logger, duration.TotalSeconds, MessagesWaiting, MessagesDroppedInOutage);
        _ = FlushHeldAsync();
        Raise(ConnectionRestored);
    }

    /// <summary>Publishes the held messages in order; new publishes queue behind them until the buffer is empty.</summary>
    private async Task FlushHeldAsync()
    {
        await Task.Yield();
        var sent = 0;
        while (true)
        {
            (string Channel, byte[] Message) next;
            lock (_outageGate)
            {
                if (_broken.Count > 0)
                {
                    // Lost again: the next reconnect resumes.
                    _flushing = false;
                    return;
                }

                if (_held.First is not { } first)
                {
                    _holding = false;
                    _flushing = false;
                    if (sent > 0)
                    {
                        Log.HeldSent(_logger, sent);
                    }

                    return;
                }

                next = first.Value;
                _held.RemoveFirst();
                _heldBytes -= next.Message.Length;
            }

            try
            {
                _subscriber.Publish(RedisChannel.Literal(next.Channel), next.Message, CommandFlags.FireAndForget);
                BusMetrics.MessagesPublished.Add(1);
                BusMetrics.BytesPublished.Add(next.Message.Length);
                sent++;
            }
            catch (RedisConnectionException)
            {
                lock (_outageGate)
                {
                    _held.AddFirst(next);
                    _heldBytes += next.Message.Length;
                    _flushing = false;
                }

                return;
            }
        }
    }

    /// <summary>Empties the buffer (the process stops); returns how many messages were discarded, counted as dropped.</summary>
    private int DiscardHeld()
    {
        lock (_outageGate)
        {
            var count = _held.Count;
            _held.Clear();
            _heldBytes = 0;
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
    }
}
