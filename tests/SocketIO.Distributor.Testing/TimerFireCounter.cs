namespace SocketIO.Distributor.Testing;

/// <summary>
/// The system clock, counting how often timers fire, per the due time they were last armed with: a test
/// gives the timer it watches a distinctive interval (say 17 ms) and counts that one's wake-ups. Real
/// time, real timers: only the count is added.
/// </summary>
public sealed class TimerFireCounter : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TimeSpan, int> _fires = [];

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    /// <inheritdoc />
    public override long TimestampFrequency => System.TimestampFrequency;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow();

    /// <inheritdoc />
    public override long GetTimestamp() => System.GetTimestamp();

    /// <summary>How many times timers last armed with <paramref name="dueTime"/> fired so far.</summary>
    public int FiresOf(TimeSpan dueTime)
    {
        lock (_gate)
        {
            return _fires.GetValueOrDefault(dueTime);
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Count(TimeSpan dueTime)
    {
        lock (_gate)
        {
            _fires[dueTime] = _fires.GetValueOrDefault(dueTime) + 1;
        }
    }

    private sealed class CountedTimer : ITimer
    {
        private readonly TimerFireCounter _owner;
        private readonly ITimer _inner;
        private long _dueTicks;

        public CountedTimer(TimerFireCounter owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _inner = System.CreateTimer(
                s =>
                {
                    _owner.Count(TimeSpan.FromTicks(Volatile.Read(ref _dueTicks)));
                    callback(s);
                },
                state,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Volatile.Write(ref _dueTicks, dueTime.Ticks);
            return _inner.Change(dueTime, period);
        }

        public void Dispose() => _inner.Dispose();

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
