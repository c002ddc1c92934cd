using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Tests.Bus;

/// <summary>When the memory trim collects: once on the first quiet look after a busy stretch, with enough to give back.</summary>
public sealed class QuietMemoryTrimTests
{
    private const long Busy = 10 << 20;
    private const long Quiet = 100_000;

    [Fact]
    public void A_burst_then_quiet_trims_once_and_a_process_that_stays_quiet_is_not_collected_again()
    {
        var gauge = new Gauge { Reclaimable = 40 << 20 };
        var time = new FakeTimeProvider();
        using var trim = new QuietMemoryTrim(time, NullLogger.Instance, gauge.Read, gauge.Trim);

        gauge.Allocated += Busy;
        time.Advance(QuietMemoryTrim.CheckInterval);
        Assert.Equal(0, gauge.Trims);

        for (var i = 0; i < 5; i++)
        {
            gauge.Allocated += Quiet;
            time.Advance(QuietMemoryTrim.CheckInterval);
        }

        Assert.Equal(1, gauge.Trims);
        Assert.Equal(1, trim.Trims);

        // Busy again, then quiet: one more.
        gauge.Allocated += Busy;
        time.Advance(QuietMemoryTrim.CheckInterval);
        gauge.Reclaimable = 40 << 20;
        time.Advance(QuietMemoryTrim.CheckInterval);
        Assert.Equal(2, gauge.Trims);
    }

    [Fact]
    public void A_busy_process_is_never_collected()
    {
        var gauge = new Gauge { Reclaimable = 400 << 20 };
        var time = new FakeTimeProvider();
        using var trim = new QuietMemoryTrim(time, NullLogger.Instance, gauge.Read, gauge.Trim);
        for (var i = 0; i < 20; i++)
        {
            // Just over the quiet rate, every look.
            gauge.Allocated += (QuietMemoryTrim.QuietBytesPerSecond * 2) + 1;
            time.Advance(QuietMemoryTrim.CheckInterval);
        }

        Assert.Equal(0, gauge.Trims);
    }

    [Fact]
    public void Quiet_with_little_to_give_back_waits_until_there_is_more()
    {
        var gauge = new Gauge { Reclaimable = QuietMemoryTrim.MinReclaimableBytes - 1 };
        var time = new FakeTimeProvider();
        using var trim = new QuietMemoryTrim(time, NullLogger.Instance, gauge.Read, gauge.Trim);
        gauge.Allocated += Busy;
        time.Advance(QuietMemoryTrim.CheckInterval);
        time.Advance(QuietMemoryTrim.CheckInterval);
        Assert.Equal(0, gauge.Trims);

        gauge.Reclaimable = QuietMemoryTrim.MinReclaimableBytes;
        time.Advance(QuietMemoryTrim.CheckInterval);
        Assert.Equal(1, gauge.Trims);
    }

    [Fact]
    public void Disposed_it_looks_no_more()
    {
        var gauge = new Gauge { Reclaimable = 40 << 20 };
        var time = new FakeTimeProvider();
        var trim = new QuietMemoryTrim(time, NullLogger.Instance, gauge.Read, gauge.Trim);
        gauge.Allocated += Busy;
        time.Advance(QuietMemoryTrim.CheckInterval);
        trim.Dispose();
        time.Advance(QuietMemoryTrim.CheckInterval * 3);
        Assert.Equal(0, gauge.Trims);
    }

    private sealed class Gauge
    {
        public long Allocated;
        public long Reclaimable;
        public int Trims;

        public (long Allocated, long Reclaimable) Read() => (Allocated, Reclaimable);

        public void Trim()
        {
            Trims++;
            Reclaimable = 1 << 20;
        }
    }
}
