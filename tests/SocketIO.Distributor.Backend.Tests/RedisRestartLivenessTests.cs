using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// Liveness on Redis's clock (<see cref="ClusterMembership"/>) against a real redis-server that is
/// killed with SIGKILL and restarted on the same port: an empty Redis is not a mass death.
/// </summary>
public sealed class RedisRestartLivenessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MemberTimeout = TimeSpan.FromMilliseconds(1000);

    /// <summary>Longer than <see cref="MemberTimeout"/>: without a grace period every member would be declared dead.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task When_Redis_restarts_empty_no_member_is_declared_dead_and_both_register_again_within_two_heartbeats()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var options = Options(redis);
        await using var a = await Member.StartAsync(options, "a");
        await using var b = await Member.StartAsync(options, "b");
        await Eventually.TrueAsync(() => a.Membership.IsLive("b") && b.Membership.IsLive("a"), "both see each other");

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !a.Bus.IsConnected && !b.Bus.IsConnected, "both noticed the outage");
        await Task.Delay(Outage); // the outage itself, as an operator's restart would take
        await redis.RestartAsync();
        var restarted = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => a.Bus.IsConnected && b.Bus.IsConnected, "both reconnected");
        var reconnected = restarted.Elapsed;
        await using var probe = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        await Eventually.TrueAsync(
            () => probe.Database.KeyExists(probe.Channels.Alive(MemberKind.Backend, "a")) && probe.Database.KeyExists(probe.Channels.Alive(MemberKind.Backend, "b")),
            "both alive keys are back");
        var registered = restarted.Elapsed;
        output.WriteLine($"reconnected {reconnected.TotalMilliseconds:0} ms after the restart; both registered at {registered.TotalMilliseconds:0} ms");
        Assert.True(registered - reconnected <= 2 * Heartbeat + TimeSpan.FromMilliseconds(300), $"registered {registered - reconnected} after reconnecting");

        // Through the grace period and two more heartbeats: still nobody dead, each sees the other.
        await Eventually.TrueAsync(() => !a.Membership.InGrace && !b.Membership.InGrace, "the grace periods ended");
        var refreshes = a.Refreshes;
        await Eventually.TrueAsync(() => a.Refreshes >= refreshes + 2, "two more refreshes");
        Assert.Empty(a.Down);
        Assert.Empty(b.Down);
        Assert.True(a.Membership.IsLive("b") && b.Membership.IsLive("a"));
        Assert.Contains("Redis reconnected", a.Rejoins);
        Assert.Contains("Redis reconnected", b.Rejoins);
        Assert.Equal(1, a.GraceEnds);
    }

    [Fact]
    public async Task A_member_whose_heartbeats_stop_past_its_timeout_is_declared_dead_and_notices_at_its_next_heartbeat()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var options = Options(redis);
        await using var observer = await Member.StartAsync(options, "observer");
        var paused = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sleeper = await Member.StartAsync(options, "sleeper", paused);
        var clock = Stopwatch.StartNew(); // its last heartbeat (the registration) is done: at most this long ago
        await Eventually.TrueAsync(() => observer.Membership.IsLive("sleeper"), "the observer sees the sleeper");

        // The sleeper's clock stands still: no heartbeat, as in a GC or VM pause. Redis's clock expires its key.
        await Eventually.TrueAsync(() => observer.Down.Contains("sleeper"), "the observer declares the sleeper dead");
        output.WriteLine($"declared dead {clock.ElapsedMilliseconds} ms after its last heartbeat");
        Assert.True(clock.Elapsed >= MemberTimeout - Heartbeat, $"declared dead after only {clock.Elapsed}");
        Assert.Empty(sleeper.Rejoins);

        paused.Advance(Heartbeat);
        await Eventually.TrueAsync(() => sleeper.Rejoins.Count == 1, "the sleeper notices at its next heartbeat that it was declared dead");
        Assert.Contains("alive key was gone", sleeper.Rejoins.Single(), StringComparison.Ordinal);
        Assert.True(sleeper.Membership.InGrace);
        await Eventually.TrueAsync(() => observer.Membership.IsLive("sleeper"), "the observer sees it again");
        Assert.Equal(["sleeper"], observer.Up.Where(id => id == "sleeper").Skip(1));
    }

    [Fact]
    public async Task Leaving_and_stopping_a_backend_while_Redis_is_down_does_not_throw()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var options = new BackendOptions();
        options.Bus.Redis = redis.ConnectionString;
        options.Bus.ChannelPrefix = TestRedis.NewPrefix("stop-down");
        options.Bus.HeartbeatInterval = Heartbeat;
        options.Bus.MemberTimeout = MemberTimeout;
        var backend = new SocketIOBackend(options);
        backend.Of("/");
        await backend.StartAsync();
        await using var member = await Member.StartAsync(Options(redis), "m");

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !member.Bus.IsConnected && !backend.IsRedisConnected, "the outage is noticed");

        var clock = Stopwatch.StartNew();
        await backend.StopAsync().WithTimeout("the backend's stop");
        await member.Membership.LeaveAsync().WithTimeout("the member's leave");
        output.WriteLine($"stopped with Redis down in {clock.ElapsedMilliseconds} ms");
        Assert.False(backend.IsRunning);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {clock.Elapsed}: it waited for Redis (the library's timeout is 5 s)");
    }

    [Fact]
    public async Task Publishes_during_an_outage_are_held_and_sent_after_the_reconnect_and_the_overflow_is_counted()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var options = Options(redis);
        options.MaxOutageBufferMessages = 5;
        await using var bus = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        bus.ExpectedSubscribers = channel => channel == "ch" ? 1 : 0; // held messages wait until its subscription is back
        var received = new ConcurrentQueue<string>();
        await using var subscription = await bus.SubscribeAsync("ch", m => received.Enqueue(System.Text.Encoding.UTF8.GetString(m.Span)));
        bus.Publish("ch", "before"u8.ToArray());
        await Eventually.TrueAsync(() => received.Count == 1, "the first message arrives");

        await redis.KillAsync();
        await Eventually.TrueAsync(() => bus.PublishesHeld, "the outage of the publishing connection is noticed");
        for (var i = 0; i < 8; i++)
        {
            bus.Publish("ch", System.Text.Encoding.UTF8.GetBytes($"during {i}"));
        }

        Assert.Equal(5, bus.MessagesWaiting);
        Assert.Equal(3, bus.MessagesDroppedInOutage);
        Assert.True(bus.OutageDuration > TimeSpan.Zero);
        await redis.RestartAsync();

        await Eventually.TrueAsync(() => bus.IsConnected && bus.MessagesWaiting == 0, "the held messages are sent");
        bus.Publish("ch", "after"u8.ToArray());
        await Eventually.TrueAsync(() => received.Contains("after"), "a message after the outage arrives");
        output.WriteLine(string.Join(", ", received));
        Assert.Equal(["before", "during 0", "during 1", "during 2", "during 3", "during 4", "after"], received);
        Assert.InRange(bus.MessagesHeldInOutage, 5, 6); // "after" too, if sent within the settling period after the reconnect
        Assert.Equal(TimeSpan.Zero, bus.OutageDuration);
    }

    [Fact]
    public async Task When_Redis_drops_only_the_subscription_connection_publishes_are_not_held()
    {
        // Redis disconnects a subscriber that falls behind (client-output-buffer-limit pubsub): the
        // process misses incoming messages (counted by sequence gaps), but it can still publish.
        await using var redis = await RedisServerProcess.StartAsync();
        await using var bus = await RedisBus.ConnectAsync(Options(redis), NullLogger.Instance);
        await using var subscription = await bus.SubscribeAsync("ch", _ => { });

        Assert.Contains(":", await redis.CommandAsync("CLIENT", "KILL", "TYPE", "pubsub"), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => bus.ConnectionLosses == 1, "the lost subscription connection is noticed");
        bus.Publish("ch", "while resubscribing"u8.ToArray());

        Assert.False(bus.PublishesHeld);
        await Eventually.TrueAsync(() => bus.IsConnected, "the subscription connection is back (its events may come out of order)");
        Assert.Equal(0, bus.MessagesHeldInOutage);
        Assert.Equal(0, bus.MessagesDroppedInOutage);
        Assert.Equal(1, bus.ConnectionLosses);
    }

    private static BusOptions Options(RedisServerProcess redis) => new()
    {
        Redis = redis.ConnectionString,
        ChannelPrefix = TestRedis.NewPrefix("restart"),
        HeartbeatInterval = Heartbeat,
        MemberTimeout = MemberTimeout,
    };

    /// <summary>One member on its own bus connection, recording its membership events.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private int _refreshes;
        private int _graceEnds;

        private Member(RedisBus bus, ClusterMembership membership)
        {
            Bus = bus;
            Membership = membership;
            membership.MemberDown += m => Down.Enqueue(m.Id);
            membership.MemberUp += m => Up.Enqueue(m.Id);
            membership.Rejoined += reason => Rejoins.Enqueue(reason);
            membership.Refreshed += (_, _) => Interlocked.Increment(ref _refreshes);
            membership.GraceEnded += () => Interlocked.Increment(ref _graceEnds);
        }

        public RedisBus Bus { get; }

        public ClusterMembership Membership { get; }

        public ConcurrentQueue<string> Down { get; } = new();

        public ConcurrentQueue<string> Up { get; } = new();

        public ConcurrentQueue<string> Rejoins { get; } = new();

        public int Refreshes => Volatile.Read(ref _refreshes);

        public int GraceEnds => Volatile.Read(ref _graceEnds);

        public static async Task<Member> StartAsync(BusOptions options, string id, TimeProvider? time = null)
        {
            time ??= TimeProvider.System;
            var bus = await RedisBus.ConnectAsync(options, NullLogger.Instance, time);
            var startedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
            var membership = new ClusterMembership(
                bus,
                () => new MemberInfo { Id = id, Kind = MemberKind.Backend, Namespaces = ["/"], StartedAt = startedAt },
                time,
                NullLogger.Instance);
            var member = new Member(bus, membership);
            await membership.StartAsync();
            return member;
        }

        public async ValueTask DisposeAsync()
        {
            await Membership.DisposeAsync();
            await Bus.DisposeAsync();
        }
    }
}
