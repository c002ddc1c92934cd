using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;
using StackExchange.Redis;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// The replay log of one namespace: every recoverable emit (not volatile, no ack id) gets an offset,
/// carried as the EVENT's last argument, and is added to a Redis sorted set
/// (<see cref="RecoveryKeys.ReplayLog"/>) before it is published, on the same connection, so a
/// distributor's crash loses nothing: whoever restores a session reads what it missed from Redis.
/// The set is trimmed by age (older than the longest disconnection) and by count.
/// </summary>
internal sealed partial class RecoveryLog
{
    private readonly BackendNamespace _namespace;
    private readonly ConnectionStateRecovery _options;
    private readonly Lock _gate = new();
    private long _lastScore;
    private long _sinceTrim;
    private string? _key;

    public RecoveryLog(BackendNamespace nsp, ConnectionStateRecovery options)
    {
        _namespace = nsp;
        _options = options;
    }

    public ConnectionStateRecovery Options => _options;

    /// <summary>Trims once every so many emits (often enough that the log exceeds its bound by at most an eighth).</summary>
    private long TrimEvery => Math.Clamp(_options.MaxReplayEntries / 8, 1, 256);

    private SocketIOBackend Backend => _namespace.Backend;

    /// <summary>The log's key, in the hash slot of the namespace channel (see <see cref="RecoveryKeys.ReplayLog"/>).</summary>
    private string Key => _key ??= Backend.Bus.ReplayLogKey(_namespace.Name);

    /// <summary>A new offset, greater than every offset this backend gave before.</summary>
    public string NextOffset() => RecoveryOffset.Format(NextScore(), Backend.Id);

    /// <summary>
    /// Emits an EVENT carrying a fresh offset as its last argument: recorded in the log, then published
    /// on the namespace channel (distributors filter by <paramref name="rooms"/> and
    /// <paramref name="except"/>; a socket id is a room of one). Offsets are given, logged and published
    /// under one lock, so every distributor sees them in increasing order.
    /// </summary>
    public void Emit(EncodedPayload payload, IReadOnlyCollection<string> rooms, IReadOnlyCollection<string> except, EmitFlags flags)
    {
        lock (_gate)
        {
            if (Order is { } order && Backend.Bus.IsConnected && !Backend.Bus.PublishesHeld && TryEmitOrdered(order, payload, rooms, except, flags))
            {
                return;
            }

            var score = NextScore();
            var offset = RecoveryOffset.Format(score, Backend.Id);
            var stamped = new EncodedPayload(RecoveryOffset.AppendTo(payload.Json.Span, offset), payload.Attachments);
            var frames = stamped.EventFrames(_namespace.Name, -1);
            var entry = new ReplayEntry(offset, rooms, except, frames).Encode();
            try
            {
                var db = Backend.Bus.Database;
                db.SortedSetAdd(Key, entry, score, CommandFlags.FireAndForget);
                if (++_sinceTrim % TrimEvery == 1)
                {
                    Trim(db);
                }
            }
            catch (RedisException ex)
            {
                RecoveryEvents.LogWriteFailed(Backend.Logger, ex, _namespace.Name);
            }

            Backend.Router.BroadcastOnNamespace(_namespace.Name, rooms, except, flags | EmitFlags.Recoverable, frames);
        }
    }

    /// <summary>The script that gives offsets in Redis's order; null when this backend's clock gives them.</summary>
    public RecoveryOrder? Order { get; set; }

    /// <summary>
    /// The emit with a placeholder where its score goes, sent through <see cref="RecoveryOrder"/> (Redis
    /// gives the score, logs and publishes); false when it cannot be (the caller numbers it).
    /// </summary>
    private bool TryEmitOrdered(RecoveryOrder order, EncodedPayload payload, IReadOnlyCollection<string> rooms, IReadOnlyCollection<string> except, EmitFlags flags)
    {
        var offset = order.Placeholder + "-" + Backend.Id;
        var stamped = new EncodedPayload(RecoveryOffset.AppendTo(payload.Json.Span, offset), payload.Attachments);
        var frames = stamped.EventFrames(_namespace.Name, -1);
        if (!order.IsOnlyIn(frames))
        {
            // The application's payload holds the placeholder (16 random letters): numbered here instead.
            return false;
        }

        var entry = new ReplayEntry(offset, rooms, except, frames).Encode();
        try
        {
            Backend.Router.BroadcastOnNamespace(_namespace.Name, rooms, except, flags | EmitFlags.Recoverable, frames, (channel, message) =>
            {
                if (!order.TrySend(Key, entry, channel, message))
                {
                    // Rooms named like the placeholder: published as is (its offset names no score, so a
                    // client that recovers from it replays from its connection's offset).
                    Backend.Bus.Publish(channel, message);
                }
            });
        }
        catch (RedisException ex)
        {
            RecoveryEvents.LogWriteFailed(Backend.Logger, ex, _namespace.Name);
        }

        if (++_sinceTrim % TrimEvery == 1)
        {
            Trim(Backend.Bus.Database);
        }

        return true;
    }

    /// <summary>
    /// True if nothing after <paramref name="score"/> has been trimmed: the log is empty or its oldest
    /// entry is not newer than that score.
    /// </summary>
    public async Task<bool> CoversAsync(long score)
    {
        var oldest = await Backend.Bus.Database.SortedSetRangeByRankWithScoresAsync(Key, 0, 0).ConfigureAwait(false);
        return oldest.Length == 0 || (long)oldest[0].Score <= score;
    }

    private void Trim(IDatabase db)
    {
        var oldest = RecoveryOffset.ScoreAt(Backend.Time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.MaxDisconnectionDuration.TotalMilliseconds);
        db.SortedSetRemoveRangeByScore(Key, double.NegativeInfinity, oldest, Exclude.Stop, CommandFlags.FireAndForget);
        db.SortedSetRemoveRangeByRank(Key, 0, -_options.MaxReplayEntries - 1, CommandFlags.FireAndForget);

        // An idle namespace's log goes away by itself.
        db.KeyExpire(Key, _options.MaxDisconnectionDuration * 2, CommandFlags.FireAndForget);
    }

    private long NextScore()
    {
        var now = RecoveryOffset.ScoreAt(Backend.Time.GetUtcNow().ToUnixTimeMilliseconds());
        while (true)
        {
            var last = Interlocked.Read(ref _lastScore);
            var next = Math.Max(last + 1, now);
            if (Interlocked.CompareExchange(ref _lastScore, next, last) == last)
            {
                return next;
            }
        }
    }
}
