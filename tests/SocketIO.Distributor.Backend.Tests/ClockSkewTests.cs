using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// Liveness does not compare hosts' clocks (regression: members wrote <c>ExpiresAt</c> by their own
/// clock and readers compared it with theirs): a member whose clock is an hour off is judged by its
/// alive key's TTL, on Redis's clock.
/// </summary>
public sealed class ClockSkewTests
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MemberTimeout = TimeSpan.FromMilliseconds(500);

    [Theory]
    [InlineData(-60)]
    [InlineData(60)]
    public async Task A_member_whose_clock_is_an_hour_off_is_alive_while_it_beats_and_dead_soon_after_it_stops(int skewMinutes)
    {
        var options = new BusOptions
        {
            Redis = TestRedis.ConnectionString,
            ChannelPrefix = TestRedis.NewPrefix("clock-skew"),
            HeartbeatInterval = Heartbeat,
            MemberTimeout = MemberTimeout,
        };
        await using var bus = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        var down = new ConcurrentQueue<string>();
        var refreshes = 0;
        await using var observer = new ClusterMembership(bus, () => Member("observer", TimeProvider.System), TimeProvider.System, NullLogger.Instance);
        observer.MemberDown += m => down.Enqueue(m.Id);
        observer.Refreshed += (_, _) => Interlocked.Increment(ref refreshes);
        await observer.StartAsync();

        var skewed = new SkewedTime(TimeSpan.FromMinutes(skewMinutes));
        var member = new ClusterMembership(bus, () => Member("skewed", skewed), skewed, NullLogger.Instance);
        await member.StartAsync();
        await Eventually.TrueAsync(() => observer.IsLive("skewed"), "the observer sees the skewed member");

        // Alive through several member timeouts of the observer's refreshes.
        var seen = Volatile.Read(ref refreshes);
        await Eventually.TrueAsync(() => Volatile.Read(ref refreshes) >= seen + (3 * MemberTimeout / Heartbeat), "three member timeouts of refreshes");
        Assert.Empty(down);
        Assert.True(observer.IsLive("skewed"));

        // It crashes (no departure announced): dead once its key expires, whatever its clock said.
        await member.DisposeAsync();
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => down.Contains("skewed"), "the observer declares it dead");
        Assert.True(clock.Elapsed < MemberTimeout + (5 * Heartbeat) + TimeSpan.FromSeconds(1), $"declared dead only after {clock.Elapsed}");
    }

    private static MemberInfo Member(string id, TimeProvider time) => new()
    {
        Id = id,
        Kind = MemberKind.Backend,
        Namespaces = ["/"],
        StartedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
    };

    /// <summary>The system clock, off by <paramref name="skew"/> (timers run as usual).</summary>
    private sealed class SkewedTime(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }
}
