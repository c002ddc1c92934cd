using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>Hash slots as Redis Cluster computes them, and keys placed in a channel's slot.</summary>
public sealed class ClusterSlotsTests
{
    [Theory]
    [InlineData("123456789", 12739)] // CRC16/XMODEM check value 0x31C3 (the cluster spec's reference)
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("hello", 866)]
    [InlineData("somekey", 11058)]
    [InlineData("{user1000}.following", 3443)]
    public void Slots_are_those_redis_cluster_gives(string name, int slot) => Assert.Equal(slot, ClusterSlots.Of(name));

    [Theory]
    [InlineData("{user1000}.following", "user1000")]
    [InlineData("foo{}{bar}", "foo{}{bar}")] // an empty tag: the whole name
    [InlineData("foo{{bar}}zap", "{bar")] // the first '{' to the first '}' after it
    [InlineData("foo{bar}{zap}", "bar")]
    [InlineData("no-tag}", "no-tag}")]
    [InlineData("open{only", "open{only")]
    public void The_hashed_part_follows_the_cluster_spec(string name, string part) => Assert.Equal(part, ClusterSlots.HashedPart(name));

    [Fact]
    public void The_replay_log_is_named_by_its_namespace_channel_and_shares_its_slot()
    {
        var channel = new BusChannels("siod").Namespace("/chat");
        var key = RecoveryKeys.ReplayLog("siod", channel);
        Assert.Equal("siod:replay:{siod:n:/chat}", key);
        Assert.Equal(ClusterSlots.Of(channel), ClusterSlots.Of(key));
    }

    [Theory]
    [InlineData("siod", "/a}b")] // the channel's hashed part holds a '}': no readable tag gives its slot
    [InlineData("siod", "/{room}")] // the channel has a tag of its own
    [InlineData("{app}", "/chat")] // the prefix is a tag: key and channel share it
    [InlineData("siod", "/é")]
    public void A_channel_with_braces_or_any_character_still_gets_a_log_in_its_slot(string prefix, string nsp)
    {
        var channel = new BusChannels(prefix).Namespace(nsp);
        var key = RecoveryKeys.ReplayLog(prefix, channel);
        Assert.StartsWith(prefix + ":replay:", key, StringComparison.Ordinal);
        Assert.Equal(ClusterSlots.Of(channel), ClusterSlots.Of(key));
    }

    [Fact]
    public void Every_slot_is_reachable_by_a_short_tag()
    {
        // KeyInSlotOf searches "s0", "s1", ... when the readable tag cannot be used: every slot is found.
        var found = new bool[ClusterSlots.Count];
        var left = ClusterSlots.Count;
        for (var i = 0; left > 0 && i < 1 << 20; i++)
        {
            var slot = ClusterSlots.Of("{s" + i + "}");
            if (!found[slot])
            {
                found[slot] = true;
                left--;
            }
        }

        Assert.Equal(0, left);
    }
}
