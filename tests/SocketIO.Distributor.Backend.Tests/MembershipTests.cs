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
        var options = new BusOptions
        {
            Redis = TestRedis.ConnectionString,
            ChannelPrefix = TestRedis.NewPrefix("members"),
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            MemberTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using var bus = await RedisBus.ConnectAsync(options, NullLogger.Instance);
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

    private static MemberInfo Member(string id, long startedAt) => new()
    {
        Id = id,
        Kind = MemberKind.Backend,
        Namespaces = ["/"],
        StartedAt = startedAt,
    };
}
