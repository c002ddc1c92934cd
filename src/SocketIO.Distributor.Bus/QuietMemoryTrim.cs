using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Gives memory back to the operating system once a process goes quiet after a busy stretch (a burst of
/// connections, a load that ended). Every <see cref="CheckInterval"/> it looks at how much the process
/// allocated since the last look: a quiet process (idle connections' heartbeats, a few requests a
/// second) allocates little. On the first quiet look after a busy one, when the GC holds at least
/// <see cref="MinReclaimableBytes"/> committed beyond the live heap, it runs one compacting collection
/// that decommits what it can (<see cref="GCCollectionMode.Aggressive"/>): the GC's headroom and free
/// regions left by the burst go back to the system instead of staying in the process's memory until the
/// next busy stretch. Once per quiet stretch, so a process that stays quiet is not collected again, and
/// one that stays busy never. The collection blocks the process for as long as a full GC of its heap
/// (tens of milliseconds for tens of MB), at a moment when it has little to do.
/// </summary>
/// <remarks>
/// The hosted distributor and backend run one each (<c>TrimMemoryWhenQuiet</c>, on by default). Two in
/// one process (the demo) may both trim as the process goes quiet; the second collection finds little
/// left to do.
/// </remarks>
public sealed partial class QuietMemoryTrim : IDisposable
{
    /// <summary>How often the allocations are looked at.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>At most this many bytes allocated per second is quiet.</summary>
    public const long QuietBytesPerSecond = 1 << 20;

    /// <summary>Trimmed only when at least this much is committed beyond the live heap.</summary>
    public const long MinReclaimableBytes = 4 << 20;

    private readonly ITimer _timer;
    private readonly ILogger _logger;
    private readonly Func<(long Allocated, long Reclaimable)> _gauge;
    private readonly Action _trim;
    private readonly Lock _gate = new();
    private long _lastAllocated;
    private bool _busySinceTrim = true;
    private long _trims;

    /// <summary>Starts looking, on <paramref name="time"/>'s clock.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where each trim is logged (debug).</param>
    public QuietMemoryTrim(TimeProvider time, ILogger logger)
        : this(time, logger, ReadGauge, TrimNow)
    {
    }

    /// <summary>For tests: what is read and what a trim does.</summary>
    internal QuietMemoryTrim(TimeProvider time, ILogger logger, Func<(long Allocated, long Reclaimable)> gauge, Action trim)
    {
        _logger = logger;
        _gauge = gauge;
        _trim = trim;
        _lastAllocated = gauge().Allocated;
        _timer = time.CreateTimer(static s => ((QuietMemoryTrim)s!).Check(), this, CheckInterval, CheckInterval);
    }

    /// <summary>Starts one when <paramref name="enabled"/> (the hosted distributor's and backend's <c>TrimMemoryWhenQuiet</c>).</summary>
    /// <param name="enabled">Whether to trim.</param>
    /// <param name="time">The app's clock, or null for the system's.</param>
    /// <param name="loggers">Where its log goes.</param>
    /// <returns>The trim (dispose it when the host stops), or null.</returns>
    public static QuietMemoryTrim? StartIf(bool enabled, TimeProvider? time, ILoggerFactory loggers) =>
        enabled ? new QuietMemoryTrim(time ?? TimeProvider.System, loggers.CreateLogger<QuietMemoryTrim>()) : null;

    /// <summary>The trims this instance ran.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();

    /// <summary>One look: trims on the first quiet one after a busy one, when there is enough to give back.</summary>
    internal void Check()
    {
        var (allocated, reclaimable) = _gauge();
        lock (_gate)
        {
            var since = allocated - _lastAllocated;
            _lastAllocated = allocated;
            if (since > QuietBytesPerSecond * CheckInterval.TotalSeconds)
            {
                _busySinceTrim = true;
                return;
            }

            if (!_busySinceTrim || reclaimable < MinReclaimableBytes)
            {
                return;
            }

            _busySinceTrim = false;
        }

        _trim();
        Interlocked.Increment(ref _trims);
        Log.Trimmed(_logger, reclaimable >> 20, _gauge().Reclaimable >> 20);
    }

    /// <summary>Bytes allocated so far, and what the GC holds committed beyond the live heap at its last collection.</summary>
    private static (long Allocated, long Reclaimable) ReadGauge()
    {
        var info = GC.GetGCMemoryInfo();
        return (GC.GetTotalAllocatedBytes(precise: false), info.TotalCommittedBytes - (info.HeapSizeBytes - info.FragmentedBytes));
    }

    private static void TrimNow() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3150, Level = LogLevel.Debug, Message = "Quiet after a busy stretch: memory trimmed (committed beyond the live heap: {BeforeMb} MB before, {AfterMb} MB after)")]
        public static partial void Trimmed(ILogger logger, long beforeMb, long afterMb);
    }
}
