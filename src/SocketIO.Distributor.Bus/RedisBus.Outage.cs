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

    /// <summary>The most held messages published at once (pipelined) when the connection is back.</summary>
    private const int FlushBatch = 256;

    /// <summary>How long to wait before re-sending inbox messages that no subscriber took while settling.</summary>
    private static readonly TimeSpan SettleRetryDelay = TimeSpan.FromMilliseconds(25);

    private readonly TimeProvider _time;
    private readonly Lock _outageGate = new();
    private readonly Dictionary<(string Endpoint, ConnectionType Type), System.Net.EndPoint?> _broken = [];
    private ITimer? _recheck;
    private readonly LinkedList<(string Channel, byte[] Message)> _held = new();
    private long _heldBytes;
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
            flush = !PublishingBrokenLocked() && !_flushing && _connection.IsConnected;
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

    /// <summary>
    /// Publishes the held messages in order; new publishes queue behind them until the buffer is empty
    /// and the settling period is over. During the settling period (one member timeout after the
    /// reconnect) the other processes may not have re-subscribed yet: a message for one process's inbox
    /// that reached no subscriber is kept and sent again (its channel's later messages stay behind it)
    /// until a subscriber takes it or the period ends (then it is sent once more, like any message:
    /// its receiver is likely dead). On a Redis Cluster in classic mode, where PUBLISH counts the subscribers
    /// of one node only, nothing is re-sent.
    /// </summary>
    private async Task FlushHeldAsync()
    {
        try
        {
            await FlushHeldCoreAsync();
        }
        catch (Exception ex)
        {
            // Unexpected (the bus is being disposed): the next reconnect or failed publish restarts it.
            lock (_outageGate)
            {
                _flushing = false;
            }

            Log.FlushFailed(_logger, ex);
        }
    }

    private async Task FlushHeldCoreAsync()
    {
        await Task.Yield();
        var settleUntil = _time.GetTimestamp() + (long)(Options.MemberTimeout.TotalSeconds * _time.TimestampFrequency);
        var countsReliable = ReceiverCountsReliable();
        var sent = 0;
        while (true)
        {
            var settling = countsReliable && _time.GetTimestamp() < settleUntil;
            var batch = new List<(string Channel, byte[] Message)>(FlushBatch);
            lock (_outageGate)
            {
                if (PublishingBrokenLocked())
                {
                    // Lost again: the next reconnect resumes.
                    _flushing = false;
                    return;
                }

                while (batch.Count < FlushBatch && _held.First is { } first)
                {
                    batch.Add(first.Value);
                    _held.RemoveFirst();
                    _heldBytes -= first.Value.Message.Length;
                }

                if (batch.Count == 0 && !settling)
                {
                    _holding = false;
                    _flushing = false;
                    if (sent > 0)
                    {
                        Log.HeldSent(_logger, sent);
                    }

                    return;
                }
            }

            if (batch.Count == 0)
            {
                await Task.Delay(SettleRetryDelay, _time);
                continue;
            }

            List<(string Channel, byte[] Message)> unreceived;
            try
            {
                unreceived = await PublishBatchAsync(batch, settling);
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                Requeue(batch);
                bool lostAgain;
                lock (_outageGate)
                {
                    // Lost again: the reconnect resumes the flush. Otherwise nothing else would (new
                    // publishes join the buffer while it is being sent): try again shortly.
                    lostAgain = PublishingBrokenLocked();
                    _flushing &= !lostAgain;
                }

                if (lostAgain)
                {
                    return;
                }

                Log.FlushRetried(_logger, ex.Message);
                await Task.Delay(RecheckPeriod, _time);
                continue;
            }

            sent += batch.Count - unreceived.Count;
            if (unreceived.Count > 0)
            {
                Requeue(unreceived);
                await Task.Delay(SettleRetryDelay, _time);
            }
        }
    }

    /// <summary>Publishes a batch (pipelined, in order); returns the inbox messages no subscriber took while settling.</summary>
    private async Task<List<(string Channel, byte[] Message)>> PublishBatchAsync(List<(string Channel, byte[] Message)> batch, bool settling)
    {
        if (!settling)
        {
            foreach (var (channel, message) in batch)
            {
                _subscriber.Publish(ChannelOf(channel), message, CommandFlags.FireAndForget);
                BusMetrics.MessagesPublished.Add(1);
                BusMetrics.BytesPublished.Add(message.Length);
            }

            return [];
        }

        // Broadcast channels short of their expected subscribers wait (PUBSUB NUMSUB, no publish yet).
        var stalled = await ChannelsShortOfSubscribersAsync(batch);
        var unreceived = new List<(string Channel, byte[] Message)>();
        var sending = new List<(int Index, Task<long> Receivers)>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (stalled.Contains(batch[i].Channel))
            {
                unreceived.Add(batch[i]);
            }
            else
            {
                sending.Add((i, _subscriber.PublishAsync(ChannelOf(batch[i].Channel), batch[i].Message)));
            }
        }

        await Task.WhenAll(sending.Select(s => s.Receivers));
        foreach (var (index, receivers) in sending)
        {
            var (channel, message) = batch[index];
            if (stalled.Contains(channel) || (receivers.Result == 0 && Channels.IsInbox(channel)))
            {
                stalled.Add(channel);
                unreceived.Add(batch[index]);
                continue;
            }

            BusMetrics.MessagesPublished.Add(1);
            BusMetrics.BytesPublished.Add(message.Length);
        }

        // Back in their original order.
        return [.. unreceived.OrderBy(m => batch.IndexOf(m))];
    }

    /// <summary>The batch's broadcast channels whose subscribers Redis counts below <see cref="ExpectedSubscribers"/>.</summary>
    private async Task<HashSet<string>> ChannelsShortOfSubscribersAsync(List<(string Channel, byte[] Message)> batch)
    {
        var stalled = new HashSet<string>(StringComparer.Ordinal);
        if (ExpectedSubscribers is not { } expected)
        {
            return stalled;
        }

        var probes = batch
            .Select(m => m.Channel)
            .Distinct(StringComparer.Ordinal)
            .Where(c => !Channels.IsInbox(c))
            .Select(c => (Channel: c, Expected: expected(c)))
            .Where(p => p.Expected > 0)
            .ToList();
        if (probes.Count == 0)
        {
            return stalled;
        }

        try
        {
            var counts = await CountNowAsync([.. probes.Select(p => p.Channel)]);
            for (var i = 0; i < probes.Count; i++)
            {
                if (counts[i] < probes[i].Expected)
                {
                    stalled.Add(probes[i].Channel);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException or InvalidCastException)
        {
            // PUBSUB NUMSUB unsupported (or several servers in classic mode): publish without waiting.
        }

        return stalled;
    }

    /// <summary>Puts messages back at the head of the buffer, in their order.</summary>
    private void Requeue(List<(string Channel, byte[] Message)> messages)
    {
        lock (_outageGate)
        {
            for (var i = messages.Count - 1; i >= 0; i--)
            {
                _held.AddFirst(messages[i]);
                _heldBytes += messages[i].Message.Length;
            }
        }
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
