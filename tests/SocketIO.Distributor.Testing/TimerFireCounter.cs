namespace SocketIO.Distributor.Testing;

/// <summary>
/// The system clock, counting how often timers fire, per the due time they were last armed with, and how
/// many were created and disposed, per the due time they were created with: a test
/// gives the timer it watches a distinctive interval (say 17 ms) and counts that one's wake-ups. Real
/// time, real timers: only the count is added.
/// </summary>
public sealed class TimerFireCounter : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TimeSpan, int> _fires = [];
    private readonly Dictionary<TimeSpan, int> _created = [];
    private readonly Dictionary<TimeSpan, int> _disposed = [];

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

    /// <summary>How many timers were created with <paramref name="dueTime"/> so far.</summary>
    public int CreatedWith(TimeSpan dueTime)
    {
        lock (_gate)
        {
            return _created.GetValueOrDefault(dueTime);
        }
    }

    /// <summary>How many timers created with <paramref name="dueTime"/> were disposed so far (each counted once).</summary>
    public int DisposedOf(TimeSpan dueTime)
    {
        lock (_gate)
        {
            return _disposed.GetValueOrDefault(dueTime);
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Count(_created, dueTime);
        var timer = new CountedTimer(this, callback, state, dueTime);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Count(Dictionary<TimeSpan, int> counts, TimeSpan dueTime)
    {
        lock (_gate)
        {
            counts[dueTime] = counts.GetValueOrDefault(dueTime) + 1;
        }
    }

    private sealed class CountedTimer : ITimer
    {
        private readonly TimerFireCounter _owner;
        private readonly ITimer _inner;
        private readonly TimeSpan _createdWith;
        private long _dueTicks;
        private int _disposed;

        public CountedTimer(TimerFireCounter owner, TimerCallback callback, object? state, TimeSpan createdWith)
        {
            _owner = owner;
            _createdWith = createdWith;
            _inner = System.CreateTimer(
                s =>
                {
                    _owner.Count(_owner._fires, TimeSpan.FromTicks(Volatile.Read(ref _dueTicks)));
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

        public void Dispose()
        {
            CountDisposed();
            _inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            CountDisposed();
            return _inner.DisposeAsync();
        }

        private void CountDisposed()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Count(_owner._disposed, _createdWith);
            }
        }
    }
}
