using System.Net;
using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Tests.Bus;

/// <summary>The bus's own reading of CLUSTER NODES, which decides when a failover is over.</summary>
public sealed class ClusterSlotMapTests
{
    // A 3-master cluster right after a failover: 7001 died, its replica 7004 was promoted and serves its slots.
    private const string AfterFailover =
        "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460\n" +
        "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:7001@17001 master,fail - 1700000000000 1700000000000 2 disconnected\n" +
        "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:7002@17002 master - 0 1700000001000 3 connected 10923-16383 [10924->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]\n" +
        "6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:7004@17004 master - 0 1700000001000 7 connected 5461-10922\n" +
        "824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:7005@17005 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1700000001000 3 connected\n";

    [Fact]
    public void Masters_are_the_nodes_that_serve_slots_and_a_failed_master_without_slots_is_not_one()
    {
        var map = ClusterSlotMap.Parse(AfterFailover);

        Assert.Equal(["127.0.0.1:7000", "127.0.0.1:7002", "127.0.0.1:7004"], map.Masters.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0, 7000)]
    [InlineData(5460, 7000)]
    [InlineData(5461, 7004)]
    [InlineData(10922, 7004)]
    [InlineData(10923, 7002)]
    [InlineData(16383, 7002)]
    public void Each_slot_has_the_owner_its_range_names(int slot, int port)
    {
        var map = ClusterSlotMap.Parse(AfterFailover);

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), map.OwnerOf(slot));
    }

    [Fact]
    public void A_failed_master_keeps_its_slots_until_a_replica_takes_them_over()
    {
        var map = ClusterSlotMap.Parse(
            "a 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191\n" +
            "b 127.0.0.1:7001@17001 master,fail - 0 0 2 disconnected 8192-16383\n");

        Assert.Contains("127.0.0.1:7001", map.Masters);
        Assert.Equal(7001, ((IPEndPoint)map.OwnerOf(9000)!).Port);
    }

    [Fact]
    public void Lines_it_cannot_read_are_skipped_and_out_of_range_slots_have_no_owner()
    {
        var map = ClusterSlotMap.Parse("garbage\n\nx y master\nc 127.0.0.1:7000@17000 master - 0 0 1 connected 0-99 notaslot\n");

        Assert.Equal(["127.0.0.1:7000"], map.Masters);
        Assert.NotNull(map.OwnerOf(99));
        Assert.Null(map.OwnerOf(100));
        Assert.Null(map.OwnerOf(-1));
        Assert.Null(map.OwnerOf(16384));
    }

    [Fact]
    public void Views_of_several_nodes_merge_by_config_epoch_so_a_promotion_counts_before_gossip_spreads_it()
    {
        // The promoted replica (7004, epoch 7) claims 5461-10922; a node that has not heard yet still names 7001 (epoch 2).
        const string Stale =
            "a 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460\n" +
            "b 127.0.0.1:7001@17001 master,fail? - 0 0 2 disconnected 5461-10922\n" +
            "c 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383\n" +
            "d 127.0.0.1:7004@17004 slave b 0 0 2 connected\n";
        const string Promoted =
            "d 127.0.0.1:7004@17004 myself,master - 0 0 7 connected 5461-10922\n" +
            "b 127.0.0.1:7001@17001 master,fail - 0 0 2 disconnected 5461-10922\n";

        foreach (var views in new[] { new[] { Stale, Promoted }, new[] { Promoted, Stale } })
        {
            var map = ClusterSlotMap.Merge(views);

            Assert.Equal(7004, ((IPEndPoint)map.OwnerOf(8000)!).Port);
            Assert.Equal(["127.0.0.1:7000", "127.0.0.1:7002", "127.0.0.1:7004"], map.Masters.Order(StringComparer.Ordinal));
        }
    }
}
