using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>The liveness view that both sides build on (<see cref="ClusterMembership"/>), against the real RESP server.</summary>
public sealed class MembershipTests
{
    [Fact]
    public async Task A_member_that_left_is_seen_again_when_it_restarts_with_the_same_id()
    {
        // Regression: departures were remembered by id forever, so a restart with a configured id
        // (rolling restarts of named pods) was ignored until the observer restarted.
        await using var bus = await RedisBus.ConnectAsync(Options("members"), NullLogger.Instance);
        await using var observer = new ClusterMembership(bus, () => Member("observer", 1), TimeProvider.System, NullLogger.Instance);
        await observer.StartAsync();

        var first = new ClusterMembership(bus, () => Member("b1", 1000), TimeProvider.System, NullLogger.Instance);
        await first.StartAsync();
        await observer.RefreshAsync();
        Assert.True(observer.IsLive("b1"));

        await first.LeaveAsync();
        await first.DisposeAsync();
        observer.OnMemberLeaving(new MemberLeaving("b1", MemberKind.Backend));
        Assert.False(observer.IsLive("b1"));

        await using var again = new ClusterMembership(bus, () => Member("b1", 2000), TimeProvider.System, NullLogger.Instance);
        await again.StartAsync();
        await Eventually.TrueAsync(() => observer.IsLive("b1"), "the restarted member is live again");
    }

    [Fact]
    public async Task A_member_that_announced_its_departure_is_reported_leaving_by_a_refresh_that_comes_before_the_announcement_and_is_never_live_for_a_newcomer()
    {
        // A refresh can be answered before the subscriber delivers MemberLeaving (two connections): the
        // entry itself must say "draining", or the refresh reads a death and its events get BACKEND_LOST.
        await using var bus = await RedisBus.ConnectAsync(Options("members-leaving"), NullLogger.Instance);
        await using var observer = new ClusterMembership(bus, () => Member("observer", 1), TimeProvider.System, NullLogger.Instance);
        var down = new System.Collections.Concurrent.ConcurrentQueue<MemberInfo>();
        observer.MemberDown += down.Enqueue;
        await observer.StartAsync();
        await using var leaving = new ClusterMembership(bus, () => Member("b1", 1000), TimeProvider.System, NullLogger.Instance);
        await leaving.StartAsync();
        await observer.RefreshAsync();
        Assert.True(observer.IsLive("b1"));

        // The observer never handles the MemberLeaving message here: only its refreshes see the entry. Twice:
        // the first call may join a refresh its heartbeat started before the entry changed.
        Assert.True(await leaving.AnnounceLeavingAsync());
        await observer.RefreshAsync();
        await observer.RefreshAsync();

        Assert.False(observer.IsLive("b1"));
        var reported = Assert.Single(down);
        Assert.Equal("b1", reported.Id);
        Assert.True(reported.Leaving, "reported as leaving, not dead");

        // Still registered (it drains, its heartbeat goes on), yet a member that starts now never counts it live.
        Assert.True(await bus.Database.HashExistsAsync(bus.Channels.Members(MemberKind.Backend), "b1"));
        await using var newcomer = new ClusterMembership(bus, () => Member("observer2", 3000), TimeProvider.System, NullLogger.Instance);
        var newcomerUp = new System.Collections.Concurrent.ConcurrentQueue<MemberInfo>();
        newcomer.MemberUp += newcomerUp.Enqueue;
        await newcomer.StartAsync();
        Assert.False(newcomer.IsLive("b1"));
        Assert.DoesNotContain(newcomerUp, m => m.Id == "b1");

        // Done draining: the entry goes, and the departure is not reported twice.
        await leaving.LeaveAsync();
        await observer.RefreshAsync();
        await observer.RefreshAsync();
        Assert.False(await bus.Database.HashExistsAsync(bus.Channels.Members(MemberKind.Backend), "b1"));
        Assert.Single(down);
    }

    private static BusOptions Options(string prefix) => new()
    {
        Redis = TestRedis.ConnectionString,
        ChannelPrefix = TestRedis.NewPrefix(prefix),
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        MemberTimeout = TimeSpan.FromMilliseconds(500),
    };

    private static MemberInfo Member(string id, long startedAt) => new()
    {
        Id = id,
        Kind = MemberKind.Backend,
        Namespaces = ["/"],
        StartedAt = startedAt,
    };
}
